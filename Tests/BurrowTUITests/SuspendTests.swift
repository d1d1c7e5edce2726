import BurrowTestSupport
import BurrowConfig
import Foundation
import Testing
import TerminalUI
@testable import BurrowTUI

/// Ctrl-Z suspends like other curses programs: the shell's prompt comes
/// back, `fg` brings the UI back, redrawn.
@Suite(.spawnsProcesses, .timeLimit(.minutes(10))) struct SuspendTests {
    @Test func ctrlZAsksToSuspendFromAnywhere() {
        var state = Fixtures.state()
        #expect(Fixtures.press(&state, .ctrl("z")) == [.suspend])
        _ = Fixtures.press(&state, .char("a"))
        #expect(Fixtures.press(&state, .ctrl("z")) == [.suspend])
        guard case .form = state.modal else { Issue.record("the form closed"); return }
    }

    @Test func theAppRepaintsAfterASuspension() throws {
        let harness = try TUIAppTests.Harness()
        defer { harness.remove() }
        let (screen, app) = (harness.screen, harness.app)
        app.step(timeoutMilliseconds: 0)
        #expect(screen.text.contains("Mappings (0)"))
        screen.pendingEvents = [.key(.ctrl("z"))]
        app.step(timeoutMilliseconds: 0)
        #expect(screen.suspensions == 1)
        #expect(screen.text.contains("Mappings (0)"))
    }

    @Test func theRealBinaryStopsAndComesBackWithFg() async throws {
        let root = try TUIEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tmux = try await TmuxSession.atPrompt(config: root + "/config", columns: 100, rows: 30, colour: true)
        defer { tmux.kill() }
        try tmux.enter("set -m; " + TUIEndToEndTests.burrowPath)
        try await tmux.waitFor("the TUI to open") { $0.contains("Mappings (0)") }
        try tmux.send("C-z")
        // The job is reported stopped and the shell's prompt is back (the
        // prompt follows the "Stopped" line: waiting for both, not racing it).
        _ = try await tmux.waitFor("the shell prompt after Ctrl-Z") { screen in
            screen.contains("Stopped") && !screen.contains("Mappings (")
                && (screen.split(separator: "\n").last?.hasPrefix("e2e$") ?? false)
        }
        try tmux.type("fg")
        try tmux.send("Enter")
        try await tmux.waitFor("the TUI back after fg") { $0.contains("Mappings (0)") && $0.contains("a add") }
        try await tmux.quitTUI()
    }
}
