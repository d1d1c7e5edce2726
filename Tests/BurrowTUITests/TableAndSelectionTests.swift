import BurrowConfig
import BurrowCore
import BurrowTUI
import Foundation
import Testing
import TerminalUI

/// A mapping added in the form is selected; the IN/OUT column has a unit
/// and says what the detail pane says.
@Suite struct TableAndSelectionTests {
    @Test func aMappingAddedInTheFormIsSelected() throws {
        let harness = try TUIAppTests.Harness { store in
            for (name, port) in [("alpha", 3001), ("beta", 3002)] {
                _ = try store.addMapping(protocol: .http, local: LocalAddress(port: port), name: name, remotePort: nil, profile: nil, enabled: false)
            }
        }
        defer { harness.remove() }
        let (screen, app) = (harness.screen, harness.app)
        #expect(app.state.selectedMapping?.mapping.name == "alpha")
        screen.pendingEvents = [.key(.char("a"))] + "3003".map { .key(.char($0)) } + [.key(.tab), .key(.tab)]
            + "gamma".map { .key(.char($0)) } + [.key(.enter)]
        app.step(timeoutMilliseconds: 0)
        #expect(app.state.modal == nil)
        #expect(app.state.selectedMapping?.mapping.name == "gamma")
        // One added from another shell does not take the selection.
        app.dispatch(.mappingsChanged(try ConfigStore(directory: harness.directory).loadMappings().mappings + [Mapping(name: "delta", protocol: .http, local: LocalAddress(port: 3004))]))
        #expect(app.state.selectedMapping?.mapping.name == "gamma")
    }

    @Test func inOutColumnHasAUnitAndAgreesWithTheDetailPane() throws {
        var state = Fixtures.state()
        var snapshot = Fixtures.snapshot
        snapshot.mappings[0].rateIn1s = 1_200
        snapshot.mappings[0].rateOut1s = 35_000
        snapshot.mappings[0].rateIn10s = 500
        snapshot.mappings[0].rateOut10s = 9_000
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        let screen = Fixtures.draw(state)
        let header = try #require(screen.find("NAME"))
        #expect(screen.line(header.y).contains("IN/OUT B/s"))
        // Where the URLs leave no room for it, the unit is still there.
        let narrow = Fixtures.draw(SmallTerminalLayoutTests.state)
        #expect(narrow.text.contains("IN/OUT/s"))
        let row = try #require(screen.find("web  "))
        #expect(screen.line(row.y).contains("1.2K/34K"))
        let bytes = try #require(screen.find("Bytes"))
        #expect(screen.line(bytes.y).contains("(1.2 KB/s)"), "\(screen.line(bytes.y))")
        #expect(screen.line(bytes.y).contains("(34 KB/s)"))
    }
}
