import BurrowConfig
import BurrowCore
import BurrowTUI
import Foundation
import Testing
import TerminalUI

/// The form's `Plain http → https (308)` chooser: space turns it on, the
/// saved mapping carries `httpsRedirect`, and a tcp mapping cannot have it.
@Suite struct HTTPSRedirectFormTests {
    @Test func theFormSavesTheRedirect() throws {
        let directory = try TUIAppTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let screen = FakeScreen(columns: 120, rows: 40)
        let clock = TUIAppTests.Clock()
        let app = TUIAppTests.makeApp(screen: screen, directory: directory, clock: clock)
        // a, local 3000, then up once from the protocol (wraps to the last field), space.
        screen.pendingEvents = [.key(.char("a"))] + "3000".map { .key(.char($0)) } + [.key(.backTab), .key(.backTab), .key(.char(" "))]
        app.step(timeoutMilliseconds: 0)
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        #expect(screen.text.contains("Plain http → https (308)"), "\(screen.text)")
        screen.pendingEvents = [.key(.enter)]
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        let saved = try #require(try ConfigStore(directory: directory).loadMappings().mappings.first)
        #expect(saved.httpsRedirect, "\(saved)")
    }

    @Test func aTCPMappingCannotRedirect() {
        var form = MappingForm(profiles: [], takenNames: [])
        form.httpsRedirect = true
        #expect(form.errors[.httpsRedirect] == nil)
        form.mappingProtocol = .tcp
        form.local = "5432"
        #expect(form.errors[.httpsRedirect] == "the https redirect applies to http mappings only")
        #expect(form.draft == nil)
    }
}
