/// The few things the UI needs from a terminal. `CursesScreen` is the real
/// one; `FakeScreen` records a grid for tests. Used from one thread only.
public protocol Screen: AnyObject {
    var size: TerminalSize { get }
    /// Palette entries the UI may use: 256, 16, 8, or 0 for monochrome.
    var colors: Int { get }
    /// Blanks the whole screen (in the next flush).
    func clear()
    /// Draws `text` from column `x` of row `y`, clipped at the right edge.
    func put(_ text: String, x: Int, y: Int, style: TextStyle)
    /// Makes what was drawn visible.
    func flush()
    /// Waits up to `timeoutMilliseconds` for input; nil when none came.
    func nextEvent(timeoutMilliseconds: Int) -> InputEvent?
    /// Writes an escape sequence (OSC 52) straight to the terminal.
    func writeControlSequence(_ sequence: String)
    /// Gives the terminal back and stops the process like Ctrl-Z in a shell
    /// does; returns once continued (`fg`), with the terminal taken again.
    /// The caller repaints everything.
    func suspend()
    /// Gives the terminal to another program (an editor) while `body` runs,
    /// then takes it back. The caller repaints everything.
    func releaseTerminal(while body: () -> Void)
}
