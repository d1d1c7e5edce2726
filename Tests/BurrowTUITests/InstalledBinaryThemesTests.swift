import BurrowTestSupport
import BurrowConfig
import Foundation
import Testing

/// `burrow` copied out of the build folder, as `cp burrow /usr/local/bin`
/// does: no Themes folder anywhere above it, and all four themes still work.
@Suite(.spawnsProcesses, .timeLimit(.minutes(10))) struct InstalledBinaryThemesTests {
    @Test func aCopiedBinaryHasAllFourThemes() async throws {
        let root = try TUIEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        let installed = root + "/bin/burrow"
        // A hard link is instant; another file system needs a copy.
        if link(TUIEndToEndTests.burrowPath, installed) != 0 {
            try FileManager.default.copyItem(atPath: TUIEndToEndTests.burrowPath, toPath: installed)
        }
        let tmux = try await TmuxSession.atPrompt(config: root + "/config", columns: 100, rows: 30)
        defer { tmux.kill() }
        for theme in ["light", "high-contrast"] {
            try tmux.type("cd / && \(installed) --theme \(theme)")
            try tmux.send("Enter")
            let screen = try await tmux.waitFor("the TUI with the \(theme) theme") { $0.contains("\(theme) · v") || $0.contains("no usable theme") }
            #expect(!screen.contains("no usable theme"), "\(screen)")
            #expect(try ConfigStore(directory: root + "/config").loadConfig().ui.theme == theme)
            try await tmux.quitTUI()
        }
    }
}
