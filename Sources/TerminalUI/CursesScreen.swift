import CNcurses
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real terminal, through ncursesw. Create it on the thread that will
/// draw and read input, and call `stop()` on every way out (it is also
/// called from `deinit`, and fatal signals restore the terminal themselves).
public final class CursesScreen: Screen {
    public private(set) var colors: Int
    /// The locale is not UTF-8 (`LANG=C`): text is drawn through `ASCIIFallback`.
    public let asciiOnly: Bool
    private var pairs: [PairKey: Int16] = [:]
    private var stopped = false

    private struct PairKey: Hashable { var foreground: Int16; var background: Int16 }

    /// - Parameter monochrome: draw without colour (`NO_COLOR`, or a terminal without it).
    public init(monochrome: Bool) throws(TerminalError) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        setlocale(LC_ALL, "")
        asciiOnly = String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8"
        guard initscr() != nil else { throw .cannotInitialize }
        burrow_install_signal_handlers()
        // raw: Ctrl-C arrives as a key, so quitting is graceful (engine stop, endwin).
        raw()
        noecho()
        nonl()
        keypad(burrow_stdscr(), true)
        // Long enough that an arrow key's ESC [ A is never split into Esc + text
        // on a loaded machine or over SSH; short enough that Esc feels immediate.
        set_escdelay(100)
        curs_set(0)
        mousemask(mmask_t(burrow_mouse_mask()), nil)
        mouseinterval(0)
        if !monochrome, has_colors() {
            start_color()
            use_default_colors()
            colors = Int(burrow_colors())
        } else {
            colors = 0
        }
    }

    deinit { stop() }

    /// Gives the terminal back: normal mode, cursor shown, screen restored.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        curs_set(1)
        endwin()
        burrow_reset_signal_handlers()
    }

    public var size: TerminalSize {
        TerminalSize(columns: Int(burrow_cols()), rows: Int(burrow_lines()))
    }

    public func clear() { erase() }

    public func put(_ text: String, x: Int, y: Int, style: TextStyle) {
        let size = self.size
        guard y >= 0, y < size.rows, x >= 0, x < size.columns else { return }
        // Clip to the right edge ourselves: curses would wrap onto the next row.
        let room = size.columns - x
        let fitted = TextWidth.of(text) <= room ? text : TextWidth.truncate(text, to: room)
        let shown = asciiOnly ? ASCIIFallback.transliterate(fitted) : fitted
        var attributes: attr_t = 0
        if style.bold { attributes |= burrow_a_bold() }
        if style.dim { attributes |= burrow_a_dim() }
        if style.reverse { attributes |= burrow_a_reverse() }
        if style.underline { attributes |= burrow_a_underline() }
        let pair = colorPair(style)
        attr_set(attributes, pair, nil)
        // At the last cell of the last row curses reports ERR after drawing; harmless.
        _ = mvaddstr(Int32(y), Int32(x), shown)
        attr_set(0, 0, nil)
    }

    public func flush() { refresh() }

    public func nextEvent(timeoutMilliseconds: Int) -> InputEvent? {
        if burrow_pending_quit_signal() != 0 { return .terminate }
        wtimeout(burrow_stdscr(), Int32(timeoutMilliseconds))
        var character: wint_t = 0
        let result = wget_wch(burrow_stdscr(), &character)
        if result == ERR { return burrow_pending_quit_signal() != 0 ? .terminate : nil }
        if result == KEY_CODE_YES {
            let code = UInt32(character)
            if code == InputDecoder.Code.resize { return .resize(size) }
            if code == InputDecoder.Code.mouse { return mouseEvent() }
            return InputDecoder.decodeKeyCode(code).map(InputEvent.key)
        }
        return InputDecoder.decodeCharacter(UInt32(character)).map(InputEvent.key)
    }

    public func writeControlSequence(_ sequence: String) {
        refresh()
        var bytes = Array(sequence.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written <= 0 { break }
            offset += written
        }
        bytes.removeAll()
    }

    /// Raw mode turns Ctrl-C and Ctrl-Z into keys; Ctrl-Z comes here. Like
    /// every curses program: leave curses mode, stop (the shell shows its
    /// prompt), and on `fg` take the terminal again.
    public func suspend() {
        endwin()
        burrow_stop_process()
        // Continued: back to raw mode and the alternate screen, all of it redrawn.
        clearok(burrow_curscr(), true)
        refresh()
    }

    public func releaseTerminal(while body: () -> Void) {
        def_prog_mode()
        endwin()
        body()
        // Back to raw mode and the alternate screen, all of it redrawn.
        reset_prog_mode()
        clearok(burrow_curscr(), true)
        refresh()
    }

    private func mouseEvent() -> InputEvent? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let state = UInt(event.bstate)
        if burrow_is_wheel_up(state) != 0 { return .wheel(up: true) }
        if burrow_is_wheel_down(state) != 0 { return .wheel(up: false) }
        if burrow_is_button1(state) != 0 { return .click(x: Int(event.x), y: Int(event.y)) }
        return nil
    }

    /// The curses colour pair for a style, made on first use. When the
    /// terminal runs out of pairs, later styles fall back to pair 0.
    private func colorPair(_ style: TextStyle) -> Int16 {
        guard colors >= 8 else { return 0 }
        let key = PairKey(foreground: curses(style.foreground), background: curses(style.background))
        if key.foreground == -1, key.background == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        let next = pairs.count + 1
        guard next < Int(burrow_color_pairs()), next < Int(Int16.max) else { return 0 }
        init_pair(Int16(next), key.foreground, key.background)
        pairs[key] = Int16(next)
        return Int16(next)
    }

    private func curses(_ color: TerminalColor) -> Int16 {
        switch color.degraded(toColors: colors) {
        case .index(let number): return Int16(number)
        case .terminalDefault, .rgb: return -1
        }
    }
}

/// Why the terminal UI could not start.
public enum TerminalError: Error, Sendable, CustomStringConvertible {
    case notATerminal
    case cannotInitialize

    public var description: String {
        switch self {
        case .notATerminal: return "the terminal UI needs a terminal: run `burrow` in one, or use `burrow up` for headless tunnels"
        case .cannotInitialize: return "cannot start the terminal UI (is TERM set? try TERM=xterm-256color)"
        }
    }
}
