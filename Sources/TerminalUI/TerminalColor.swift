/// A colour as a theme names it, before the terminal's palette is known:
/// the terminal's own default, a palette index (0–255) or a 24-bit colour.
/// `degraded(toColors:)` maps it onto what the terminal can show.
public enum TerminalColor: Hashable, Sendable, CustomStringConvertible {
    case terminalDefault
    case index(Int)
    case rgb(UInt8, UInt8, UInt8)

    /// The colour names a theme may use, as palette indices (the ANSI 16).
    public static let names: [String: Int] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "gray": 8, "grey": 8, "bright-black": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11,
        "bright-blue": 12, "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    /// Parses `#rrggbb`, `0`–`255`, a name from `names`, or `""`/`default`
    /// (the terminal's own colour).
    public init(parsing text: String) throws(TerminalColorError) {
        let value = text.trimmingSpaces.lowercased()
        if value.isEmpty || value == "default" { self = .terminalDefault; return }
        if value.hasPrefix("#") {
            let hex = value.dropFirst()
            guard hex.count == 6, let number = UInt32(hex, radix: 16) else { throw .invalid(text) }
            self = .rgb(UInt8(number >> 16 & 0xff), UInt8(number >> 8 & 0xff), UInt8(number & 0xff))
            return
        }
        if value.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard value.count <= 3, let number = Int(value), (0...255).contains(number) else { throw .invalid(text) }
            self = .index(number)
            return
        }
        guard let number = TerminalColor.names[value] ?? TerminalColor.names[value.replacingDashes] else {
            throw .invalid(text)
        }
        self = .index(number)
    }

    public var description: String {
        switch self {
        case .terminalDefault: return "default"
        case .index(let number): return String(number)
        case .rgb(let r, let g, let b):
            return "#" + [r, g, b].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
    }

    /// This colour on a terminal with `colors` palette entries: 256, 16, 8,
    /// or fewer (monochrome, where every colour is the terminal's default).
    public func degraded(toColors colors: Int) -> TerminalColor {
        if colors < 8 { return .terminalDefault }
        switch self {
        case .terminalDefault:
            return .terminalDefault
        case .index(let number):
            if number < colors { return self }
            return .index(TerminalColor.nearestANSI(TerminalColor.rgbOfIndex(number), limit: min(colors, 16)))
        case .rgb(let r, let g, let b):
            if colors >= 256 { return .index(TerminalColor.nearest256(r, g, b)) }
            return .index(TerminalColor.nearestANSI((Int(r), Int(g), Int(b)), limit: min(colors, 16)))
        }
    }

    /// The xterm palette: 16 ANSI colours, a 6×6×6 cube, 24 greys.
    static func rgbOfIndex(_ index: Int) -> (Int, Int, Int) {
        if index < 16 { return ansi[index] }
        if index < 232 {
            let cube = index - 16
            let level = { (step: Int) in step == 0 ? 0 : 55 + step * 40 }
            return (level(cube / 36), level(cube / 6 % 6), level(cube % 6))
        }
        let grey = 8 + (index - 232) * 10
        return (grey, grey, grey)
    }

    static let ansi: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        let target = (Int(r), Int(g), Int(b))
        var best = 16
        var bestDistance = Int.max
        for index in 16..<256 {
            let distance = squaredDistance(rgbOfIndex(index), target)
            if distance < bestDistance { best = index; bestDistance = distance }
        }
        return best
    }

    static func nearestANSI(_ target: (Int, Int, Int), limit: Int) -> Int {
        var best = 0
        var bestDistance = Int.max
        for index in 0..<limit {
            let distance = squaredDistance(ansi[index], target)
            if distance < bestDistance { best = index; bestDistance = distance }
        }
        return best
    }

    private static func squaredDistance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        // Weighted towards green, as the eye is; good enough for a palette pick.
        return 3 * dr * dr + 4 * dg * dg + 2 * db * db
    }
}

/// A colour value a theme could not use.
public enum TerminalColorError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let text):
            return "invalid colour '\(text)': use #rrggbb, a number 0-255, a name (red, bright-blue…) or \"\" for the terminal's default"
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }

    var replacingDashes: String {
        // "brightblue" and "bright_blue" are accepted as "bright-blue".
        if hasPrefix("bright"), !hasPrefix("bright-") {
            return "bright-" + dropFirst(6).drop(while: { $0 == "_" })
        }
        return self
    }
}
