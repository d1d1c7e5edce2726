/// How many terminal cells text takes: 2 for East Asian wide characters and
/// most emoji, 0 for combining marks, 1 otherwise. Enough for names, URLs
/// and paths; no full wcwidth table.
public enum TextWidth {
    public static func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        if value < 0x300 { return value < 0x20 ? 0 : 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if isWide(value) { return 2 }
        return 1
    }

    public static func of(_ text: some StringProtocol) -> Int {
        var width = 0
        for character in text { width += of(character) }
        return width
    }

    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// `text` cut to at most `width` cells; a cut ends in "…".
    public static func truncate(_ text: String, to width: Int) -> String {
        if width <= 0 { return "" }
        guard let kept = keep(text, width: width, from: text) else { return text }
        return String(kept) + "…"
    }

    /// `text` truncated or padded with spaces to exactly `width` cells.
    public static func fit(_ text: String, to width: Int, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: width)
        let pad = String(repeating: " ", count: max(0, width - of(cut)))
        return alignRight ? pad + cut : cut + pad
    }

    /// `text` broken into lines of at most `width` cells, at spaces where
    /// possible (a word longer than a line is split).
    public static func wrap(_ text: String, to width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        var used = 0
        func flush() {
            while line.last == " " { line.removeLast() }
            lines.append(line)
            line = ""
            used = 0
        }
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = Substring(word)
            let w = of(word)
            if used > 0, used + 1 + w > width { flush() }
            if used > 0 { line.append(" "); used += 1 }
            // A word wider than a whole line: cut it where the line ends.
            while of(word) > width - used {
                var head = ""
                var headWidth = 0
                for character in word {
                    if headWidth + of(character) > width - used { break }
                    head.append(character)
                    headWidth += of(character)
                }
                if head.isEmpty { break }
                line += head
                word = word.dropFirst(head.count)
                used += headWidth
                flush()
            }
            line += word
            used += of(word)
        }
        if !line.isEmpty || lines.isEmpty { flush() }
        return lines
    }

    /// The end of `text` in at most `width` cells, "…" first when cut: what
    /// an input field shows while the end is being typed.
    public static func tail(_ text: String, to width: Int) -> String {
        if width <= 0 { return "" }
        guard let kept = keep(text, width: width, from: text.reversed()) else { return text }
        return "…" + String(kept.reversed())
    }

    /// The characters of `ordered` (`text` forwards or backwards) that fit in
    /// `width - 1` cells, leaving one for "…"; nil when `text` fits whole.
    private static func keep(_ text: String, width: Int, from ordered: some Sequence<Character>) -> [Character]? {
        if of(text) <= width { return nil }
        var kept: [Character] = []
        var used = 0
        for character in ordered {
            let w = of(character)
            if used + w > width - 1 { break }
            kept.append(character)
            used += w
        }
        return kept
    }
}
