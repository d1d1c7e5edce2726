/// Turns what curses' `wget_wch` returns into `InputEvent`s. Pure, so the
/// mapping is tested without a terminal.
public enum InputDecoder {
    /// curses key codes (`KEY_*` in curses.h, stable across ncurses versions).
    public enum Code {
        public static let down: UInt32 = 0o402, up: UInt32 = 0o403, left: UInt32 = 0o404, right: UInt32 = 0o405
        public static let home: UInt32 = 0o406, backspace: UInt32 = 0o407, f0: UInt32 = 0o410
        public static let delete: UInt32 = 0o512, insert: UInt32 = 0o513
        public static let pageDown: UInt32 = 0o522, pageUp: UInt32 = 0o523, enter: UInt32 = 0o527
        public static let backTab: UInt32 = 0o541, end: UInt32 = 0o550
        public static let mouse: UInt32 = 0o631, resize: UInt32 = 0o632
    }

    /// A function key code (`KEY_UP`…), not mouse or resize, which need the screen.
    public static func decodeKeyCode(_ code: UInt32) -> Key? {
        switch code {
        case Code.up: return .up
        case Code.down: return .down
        case Code.left: return .left
        case Code.right: return .right
        case Code.home: return .home
        case Code.end: return .end
        case Code.pageUp: return .pageUp
        case Code.pageDown: return .pageDown
        case Code.backspace: return .backspace
        case Code.delete: return .delete
        case Code.insert: return .insert
        case Code.enter: return .enter
        case Code.backTab: return .backTab
        case Code.f0 + 1...Code.f0 + 12: return .function(Int(code - Code.f0))
        default: return nil
        }
    }

    /// A character `wget_wch` returned (the terminal is in raw mode, so
    /// Ctrl-C arrives here as 3, not as a signal).
    public static func decodeCharacter(_ value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(UnicodeScalar(UInt8(value) + 0x60)))
        case 0, 28...31: return nil
        default:
            guard let scalar = UnicodeScalar(value) else { return nil }
            return .char(Character(scalar))
        }
    }
}
