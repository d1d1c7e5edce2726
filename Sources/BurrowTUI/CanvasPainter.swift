import TerminalUI

/// Draws a canvas onto a screen with a theme: one `put` per run of cells
/// that look the same. Where the terminal cannot show a background role
/// (monochrome themes, `NO_COLOR`), selections, the header and the focused
/// pane's title use reverse video instead, so they stay visible.
public struct CanvasPainter {
    public var theme: Theme

    public init(theme: Theme) {
        self.theme = theme
    }

    public func style(of cell: Cell, colors: Int) -> TextStyle {
        let foreground = theme.color(cell.role)
        let background = theme.color(cell.background)
        let backgroundShows = colors >= 8 && background != .terminalDefault
        var reverse = (cell.background == .selection || cell.background == .header) && !backgroundShows
        // The focused pane's title (bold, in the focus role) in reverse video
        // when its colour cannot be told from a border's: monochrome, NO_COLOR.
        if cell.role == .focus, cell.bold, colors < 8 || foreground == theme.color(.border) { reverse = true }
        return TextStyle(
            role: cell.role.rawValue,
            foreground: colors >= 8 ? foreground : .terminalDefault,
            background: colors >= 8 ? background : .terminalDefault,
            bold: cell.bold || (colors < 8 && (cell.role == .title || cell.role == .focus || cell.role == .key || cell.role == .error)),
            dim: cell.dim || (colors < 8 && cell.role == .muted),
            reverse: reverse)
    }

    /// Draws `canvas`; with the `previous` frame of the same size, only the
    /// rows that differ (curses diffs again before writing to the terminal,
    /// but building the runs is the costly part here).
    public func paint(_ canvas: Canvas, on screen: Screen, previous: Canvas? = nil) {
        let incremental = previous.map { $0.width == canvas.width && $0.height == canvas.height } ?? false
        if !incremental { screen.clear() }
        let colors = screen.colors
        for y in 0..<canvas.height {
            if incremental, let previous, canvas.rowEquals(previous, y) { continue }
            var runStart = 0
            var runText = ""
            var runStyle: TextStyle?
            for x in 0..<canvas.width {
                let cell = canvas[x, y]
                let style = style(of: cell, colors: colors)
                if style != runStyle {
                    if let runStyle, !runText.isEmpty { screen.put(runText, x: runStart, y: y, style: runStyle) }
                    runStart = x
                    runText = ""
                    runStyle = style
                }
                runText += cell.text
            }
            if let runStyle, !runText.isEmpty { screen.put(runText, x: runStart, y: y, style: runStyle) }
        }
        screen.flush()
    }
}
