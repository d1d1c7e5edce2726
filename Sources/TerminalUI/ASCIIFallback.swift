/// What the UI draws with when the locale is not UTF-8 (`LANG=C`): curses
/// would turn every box line, dot and arrow into bytes of garbage. Each
/// character becomes ASCII of the same width, so the layout stays put.
public enum ASCIIFallback {
    static let table: [Character: Character] = [
        "╭": "+", "╮": "+", "╰": "+", "╯": "+", "─": "-", "│": "|",
        "●": "*", "○": "o", "◌": "o", "▏": "|", "▸": ">", "‹": "<", "›": ">",
        "…": "~", "→": ">", "←": "<", "↑": "^", "↓": "v", "·": "-", "•": "*",
        "×": "x", "µ": "u", "–": "-", "—": "-",
        "▁": "_", "▂": "_", "▃": ".", "▄": "-", "▅": "=", "▆": "=", "▇": "#", "█": "#",
    ]

    public static func transliterate(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if character.isASCII {
                result.append(character)
            } else if let replacement = table[character] {
                result.append(replacement)
            } else {
                result += String(repeating: "?", count: TextWidth.of(character))
            }
        }
        return result
    }
}
