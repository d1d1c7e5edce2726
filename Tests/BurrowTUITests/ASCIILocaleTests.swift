import BurrowTestSupport
import Foundation
import Testing
import TerminalUI

/// Under `LANG=C` the UI draws in ASCII and says which locale to set,
/// instead of bytes of garbage.
@Suite(.spawnsProcesses, .timeLimit(.minutes(10))) struct ASCIILocaleTests {
    @Test func transliterationKeepsWidths() {
        let line = "╭─ Mappings ─╮ ● online → ▁▃▅█ … µs ✓ 日"
        let ascii = ASCIIFallback.transliterate(line)
        #expect(ascii.allSatisfy { $0.isASCII })
        #expect(TextWidth.of(ascii) == TextWidth.of(line))
        #expect(ascii.hasPrefix("+- Mappings -+ * online > _.=# ~ us ? ??"))
    }

    @Test func theRealBinaryDrawsASCIIUnderLangC() async throws {
        let root = try TUIEndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tmux = try await TmuxSession.atPrompt(config: root + "/config", columns: 100, rows: 30, colour: true, environment: ["LANG": "C", "LC_ALL": "C"])
        defer { tmux.kill() }
        try tmux.enter(TUIEndToEndTests.burrowPath)
        let screen = try await tmux.waitFor("the TUI to open") { $0.contains("Mappings (0)") }
        let lines = screen.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("+- Tunnels") }, "\(screen)")
        #expect(screen.allSatisfy { $0.isASCII }, "\(screen)")
        try await tmux.waitFor("the locale advice in the log") { $0.contains("set LANG=C.UTF-8") }
        try await tmux.quitTUI()
    }
}
