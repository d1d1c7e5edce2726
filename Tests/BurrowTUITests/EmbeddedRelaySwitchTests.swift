import BurrowTestSupport
import BurrowConfig
import Foundation
import Testing

/// Started with a profile selected, `p` → "(none: embedded relay)" must
/// bring the embedded relay up, as starting with no profile does.
@Suite(.spawnsProcesses, .timeLimit(.minutes(10))) struct EmbeddedRelaySwitchTests {
    @Test func switchingToNoProfileStartsTheEmbeddedRelay() async throws {
        let burrow = TUIEndToEndTests.burrowPath
        let root = try TUIEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try await LocalHTTPServer(directory: root + "/site")
        defer { server.stop() }
        let config = root + "/config"
        let port = try TUIEndToEndTests.closedPort()
        #expect(try Spawn.run(burrow, ["profile", "add", "far", "127.0.0.1:\(port)", "--config-dir", config]).status == 0)
        #expect(try Spawn.run(burrow, ["map", "add", "http", String(server.port), "--name", "web", "--config-dir", config]).status == 0)
        #expect(try ConfigStore(directory: config).loadConfig().selectedProfile == "far")
        let tmux = try await TmuxSession.atPrompt(config: config, columns: 120, rows: 40)
        defer { tmux.kill() }
        try tmux.enter(burrow)
        try await tmux.waitFor("the profile's relay being retried", seconds: 60) { $0.contains("far → 127.0.0.1:\(port)") }

        try tmux.send("p")
        try await tmux.waitFor("the profile switcher") { $0.contains("(none: embedded relay") && $0.contains("● far") }
        try tmux.send("Up")
        try tmux.send("Enter")
        let screen = try await tmux.waitFor("the mapping online on the embedded relay", seconds: 60) { screen in
            (screen.contains("● online") && screen.contains("http://web.localhost:")) || screen.contains("no relay configured")
        }
        #expect(!screen.contains("no relay configured"), "\(screen)")
        let url = try #require(TUIEndToEndTests.publicURL(in: screen, name: "web"))
        #expect(try TUIEndToEndTests.curl(url, path: "/") == "200")
        try await tmux.quitTUI()
    }
}
