/// A key as the UI sees it, whatever bytes the terminal sent for it.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case up, down, left, right, home, end, pageUp, pageDown
    case tab, backTab, enter, escape, backspace, delete, insert
    case function(Int)
    /// Ctrl + a letter, lower case (`.ctrl("c")`).
    case ctrl(Character)
    /// A printable character (any Unicode, one grapheme).
    case char(Character)

    public var description: String {
        switch self {
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .insert: return "Ins"
        case .function(let n): return "F\(n)"
        case .ctrl(let c): return "Ctrl-\(String(c).uppercased())"
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        }
    }
}

/// One thing the person did, or the terminal changed.
public enum InputEvent: Hashable, Sendable {
    case key(Key)
    /// A left click at column `x`, row `y` (0-based).
    case click(x: Int, y: Int)
    case wheel(up: Bool)
    case resize(TerminalSize)
    /// SIGINT, SIGTERM or SIGHUP arrived: quit now, gracefully.
    case terminate
}
