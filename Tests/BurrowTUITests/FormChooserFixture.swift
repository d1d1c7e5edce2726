import BurrowConfig
import BurrowCore
import Foundation
import Testing
import TerminalUI

/// The form's on/off choosers end to end in the app on a FakeScreen: `a`,
/// local 3000, `backTabs` fields up from the protocol (the form wraps to its
/// last fields), space on that chooser, Enter; returns the mapping saved in
/// a fresh config directory.
enum FormChooserFixture {
    static func save(togglingChooserAt backTabs: Int, labelled label: String) throws -> Mapping {
        let directory = try TUIAppTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let screen = FakeScreen(columns: 120, rows: 40)
        let clock = TUIAppTests.Clock()
        let app = TUIAppTests.makeApp(screen: screen, directory: directory, clock: clock)
        screen.pendingEvents = [.key(.char("a"))] + "3000".map { .key(.char($0)) }
            + Array(repeating: .key(.backTab), count: backTabs) + [.key(.char(" "))]
        app.step(timeoutMilliseconds: 0)
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        #expect(screen.text.contains(label), "\(screen.text)")
        screen.pendingEvents = [.key(.enter)]
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        return try #require(try ConfigStore(directory: directory).loadMappings().mappings.first)
    }
}
