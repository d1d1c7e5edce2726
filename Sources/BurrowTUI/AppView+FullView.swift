import TerminalUI

/// The full view: the whole text of the log or of a mapping, wrapped, scrollable.
extension AppView {
    /// The window: the screen less a margin of one.
    static func fullViewRect(_ size: TerminalSize) -> Rect {
        Rect(x: 1, y: 1, width: max(0, size.columns - 2), height: max(0, size.rows - 2))
    }

    /// The wrapped lines of the view at a window width.
    static func fullViewLines(_ view: FullView, _ state: AppState, width: Int) -> [(text: String, role: ThemeRole, bold: Bool)] {
        view.paragraphs(state).flatMap { paragraph in
            TextWidth.wrap(paragraph.text, to: width).enumerated().map { index, line in
                // Continuation lines indent, so each entry reads as one.
                (index == 0 ? line : "  " + line, paragraph.role, paragraph.bold)
            }
        }
    }

    /// Rows of text the window shows at once.
    static func fullViewCapacity(_ size: TerminalSize) -> Int { max(1, fullViewRect(size).height - 3) }

    static func fullView(_ canvas: inout Canvas, _ view: FullView, _ state: AppState) {
        let rect = fullViewRect(state.size)
        canvas.fill(rect, background: .background)
        canvas.box(rect, title: view.title(state), focused: true)
        let inner = rect.inner
        // Wrapped 2 narrower than the text area, for the continuation indent.
        let lines = fullViewLines(view, state, width: inner.width - 4)
        let capacity = fullViewCapacity(state.size)
        let scroll = min(view.scroll, max(0, lines.count - capacity))
        for (offset, line) in lines.dropFirst(scroll).prefix(capacity).enumerated() {
            canvas.text(line.text, x: inner.x + 1, y: inner.y + offset, maxWidth: inner.width - 2, role: line.role, bold: line.bold)
        }
        let shown = lines.isEmpty ? "0" : "\(scroll + 1)–\(min(lines.count, scroll + capacity)) of \(lines.count)"
        canvas.text("↑↓ PgUp PgDn g G scroll · Esc closes · lines \(shown)", x: inner.x + 1, y: inner.maxY - 1,
                    maxWidth: inner.width - 2, role: .muted)
    }
}
