import BurrowTestSupport
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// Issue 11 item 10: a `mappings.json` that stops parsing while the TUI runs
/// is logged once (the engine reports it; the TUI used to log it again).
@Suite(.spawnsProcesses, .timeLimit(.minutes(10))) struct MalformedMappingsLogTests {
    @Test func aMalformedMappingsFileIsLoggedOnce() async throws {
        let root = try TUIEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ConfigStore(directory: root + "/config").addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web",
                                                                remotePort: nil, profile: nil, enabled: false)
        let tmux = try await TmuxSession.atPrompt(config: root + "/config", columns: 120, rows: 40, colour: true)
        defer { tmux.kill() }
        try tmux.enter(TUIEndToEndTests.burrowPath)
        try await tmux.waitFor("the TUI") { $0.contains("Mappings (1)") }

        try Data("{ \"version\": 1, \"mappings\": [ oops ] }".utf8).write(to: URL(fileURLWithPath: root + "/config/mappings.json"))
        try await tmux.waitFor("the error in the log") { $0.contains("mappings.json") && $0.contains("1:") }
        try await Task.sleep(for: .seconds(2))
        let screen = try tmux.run(["capture-pane", "-p", "-t", "0"])
        let lines = screen.split(separator: "\n").filter { $0.contains("mappings.json") && $0.contains("1:") }
        #expect(lines.count == 1, "\(screen)")
        try await tmux.quitTUI()
    }
}
