import BurrowConfig
import BurrowCore
import BurrowTUI
import Foundation
import Testing
import TerminalUI

/// The add form at 80×24: errors in full, the end of long input in view,
/// labels apart from values, spaces around values ignored, and a failed
/// save that says why and keeps what was typed.
@Suite struct FormTextTests {
    static func form(_ keys: [Key], typing text: String = "") -> AppState {
        var state = Fixtures.state(columns: 80, rows: 24)
        _ = Fixtures.press(&state, .char("a"))
        for key in keys { _ = Fixtures.press(&state, key) }
        Fixtures.type(&state, text)
        return state
    }

    /// The text inside the form (76 wide, centred) without spaces and line
    /// breaks, so a wrapped message (even a path cut mid-word) reads as one.
    static func flowed(_ screen: FakeScreen) -> String {
        let left = (screen.size.columns - 76) / 2 + 1
        return (0..<screen.size.rows).map { screen.cells[$0][left..<left + 74].joined() }.joined().filter { $0 != " " }
    }

    @Test func aLongNameShowsWhyItIsRefusedInFull() throws {
        var state = Self.form([], typing: "3000")
        _ = Fixtures.press(&state, .tab, .tab)
        Fixtures.type(&state, String(repeating: "n", count: 64))
        guard case .form(let form) = state.modal else { Issue.record("no form"); return }
        let error = try #require(form.errors[.name])
        let text = Self.flowed(Fixtures.draw(state))
        #expect(text.contains(error.filter { $0 != " " }), "\(error)\n\(Fixtures.draw(state).text)")
    }

    @Test func longInputShowsTheEndBeingTyped() {
        var state = Self.form([], typing: "3000")
        _ = Fixtures.press(&state, .tab, .tab, .tab, .tab)   // allow
        let networks = (1...12).map { "10.\($0).0.0/16" }.joined(separator: ", ")
        Fixtures.type(&state, networks)
        let screen = Fixtures.draw(state)
        let row = screen.find("Allow from")
        #expect(row != nil)
        let line = row.map { screen.line($0.y) } ?? ""
        #expect(line.contains("10.12.0.0/16▏"), "\(line)")
        #expect(line.contains("…"))
    }

    @Test func labelsDoNotRunIntoTheirValues() {
        var state = Self.form([], typing: "3000")
        _ = Fixtures.press(&state, .tab, .tab, .tab, .tab, .tab, .tab)   // basic auth
        Fixtures.type(&state, "alice:pw")
        let text = Fixtures.draw(state).text
        #expect(text.contains("Basic auth USER:PASSWORD  alice:••"), "\(text)")
    }

    @Test func spacesAroundValuesAreIgnored() {
        var state = Self.form([], typing: " 3000 ")
        _ = Fixtures.press(&state, .tab, .tab)
        Fixtures.type(&state, " site ")
        let effects = Fixtures.press(&state, .enter)
        #expect(effects == [.saveMapping(MappingDraft(protocol: .http, local: LocalAddress(port: 3000), name: "site"), replacing: nil)])
    }

    @Test func aFailedSaveSaysWhyInTheFormAndKeepsWhatWasTyped() throws {
        let harness = try TUIAppTests.Harness(columns: 80, rows: 24)
        defer { harness.remove() }
        let (directory, screen, clock, app) = (harness.directory, harness.screen, harness.clock, harness.app)
        try Data("{ \"version\": 1, \"mappings\": [ }\n".utf8).write(to: URL(fileURLWithPath: directory + "/mappings.json"))
        screen.pendingEvents = [.key(.char("a"))] + "3001".map { .key(.char($0)) } + [.key(.tab), .key(.tab)]
            + "site".map { .key(.char($0)) } + [.key(.enter)]
        app.step(timeoutMilliseconds: 0)
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        guard case .form(let form) = app.state.modal else { Issue.record("the form closed"); return }
        let error = try #require(form.saveError)
        #expect(error.contains("unexpected '}'"))
        let text = Self.flowed(screen)
        #expect(text.contains(error.filter { $0 != " " }), "\(screen.text)")
        #expect(screen.text.contains("3001"))
        #expect(screen.text.contains("site"))
    }
}
