import Testing
import TerminalUI

@Suite struct InputDecoderTests {
    @Test func keyCodes() {
        #expect(InputDecoder.decodeKeyCode(InputDecoder.Code.up) == .up)
        #expect(InputDecoder.decodeKeyCode(InputDecoder.Code.down) == .down)
        #expect(InputDecoder.decodeKeyCode(InputDecoder.Code.backTab) == .backTab)
        #expect(InputDecoder.decodeKeyCode(InputDecoder.Code.f0 + 1) == .function(1))
        #expect(InputDecoder.decodeKeyCode(0o777) == nil)
    }

    @Test func characters() {
        #expect(InputDecoder.decodeCharacter(9) == .tab)
        #expect(InputDecoder.decodeCharacter(13) == .enter)
        #expect(InputDecoder.decodeCharacter(10) == .enter)
        #expect(InputDecoder.decodeCharacter(27) == .escape)
        #expect(InputDecoder.decodeCharacter(127) == .backspace)
        #expect(InputDecoder.decodeCharacter(3) == .ctrl("c"))
        #expect(InputDecoder.decodeCharacter(UInt32(UInt8(ascii: "q"))) == .char("q"))
        #expect(InputDecoder.decodeCharacter(0x00E9) == .char("é"))
        #expect(InputDecoder.decodeCharacter(0x1F600) == .char("😀"))
    }

    @Test func textWidthAndTruncation() {
        #expect(TextWidth.of("abc") == 3)
        #expect(TextWidth.of("日本") == 4)
        #expect(TextWidth.of("e\u{301}") == 1)
        #expect(TextWidth.truncate("http://very-long-name.localhost:8080", to: 12) == "http://very…")
        #expect(TextWidth.truncate("日本語", to: 4) == "日…")
        #expect(TextWidth.truncate("abc", to: 0) == "")
        #expect(TextWidth.truncate("abc", to: 3) == "abc")
        #expect(TextWidth.tail("http://very-long-name.localhost:8080", to: 12) == "…alhost:8080")
        #expect(TextWidth.tail("日本語", to: 4) == "…語")
        #expect(TextWidth.tail("abc", to: 0) == "")
        #expect(TextWidth.tail("abc", to: 3) == "abc")
        #expect(TextWidth.fit("ab", to: 4) == "ab  ")
    }

    @Test func osc52() {
        #expect(Clipboard.osc52("http://web.localhost:8080") == "\u{1b}]52;c;aHR0cDovL3dlYi5sb2NhbGhvc3Q6ODA4MA==\u{07}")
    }
}
