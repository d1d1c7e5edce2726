@testable import BurrowConfig
import BurrowCore
import Testing

/// config.json's `ui` object: `keepTunnelsOnQuit` (the remembered answer to
/// the TUI's quit question) round-trips; unknown fields are still refused.
@Suite struct UIPreferencesTests {
    @Test func keepTunnelsOnQuitRoundTripsAndIsLeftOutWhenUnset() throws {
        for answer in [true, false] {
            let config = ConfigFile(ui: UIPreferences(theme: "light", keepTunnelsOnQuit: answer))
            let text = String(decoding: config.encoded(), as: UTF8.self)
            #expect(text.contains("\"keepTunnelsOnQuit\": \(answer)"), "\(text)")
            #expect(try ConfigFile.decode(config.encoded(), file: "config.json") == config)
        }
        let unset = String(decoding: ConfigFile(ui: UIPreferences(theme: "light")).encoded(), as: UTF8.self)
        #expect(!unset.contains("keepTunnelsOnQuit"))
    }

    @Test func unknownOrMistypedUIFieldsAreRefused() {
        func error(_ text: String) -> String {
            do {
                _ = try ConfigFile.decode(Array(text.utf8), file: "/cfg/config.json")
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(error("{\"version\": 1, \"ui\": {\"keepTunnelsOnQuit\": true}}") == "accepted")
        #expect(error("{\"version\": 1, \"ui\": {\"keepTunnelOnQuit\": true}}").contains("unknown field 'ui.keepTunnelOnQuit'"))
        #expect(error("{\"version\": 1, \"ui\": {\"keepTunnelsOnQuit\": \"yes\"}}").contains("expected true or false"))
    }

    @Test func theStoreSavesTheAnswer() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        _ = try store.updateConfig { $0.ui.keepTunnelsOnQuit = false }
        #expect(try store.loadConfig().ui.keepTunnelsOnQuit == false)
        _ = try store.updateConfig { $0.ui.keepTunnelsOnQuit = true }
        #expect(try store.loadConfig().ui == UIPreferences(keepTunnelsOnQuit: true))
    }
}
