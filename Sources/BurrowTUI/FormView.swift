import TerminalUI

/// Draws the add/edit mapping form: one row per field, each error wrapped
/// in full under its field, and a failed save's reason wrapped in full at
/// the bottom (what was typed stays). Blank rows between fields only when
/// everything still fits.
enum FormView {
    static let width = 76

    static func draw(_ canvas: inout Canvas, _ form: MappingForm) {
        let errors = form.errors
        let fields = MappingForm.Field.allCases
        // Inner width minus the margins; errors are indented by 2 more.
        let textWidth = min(width, canvas.width - 2) - 4
        let errorLines = Dictionary(uniqueKeysWithValues: fields.compactMap { field in
            errors[field].map { (field, TextWidth.wrap($0, to: textWidth - 2)) }
        })
        let footer = form.saveError.map { TextWidth.wrap($0, to: textWidth) }
            ?? ["Enter saves · Esc cancels · Tab/↑↓ move · ←→/Space choose"]
        // Fields and their errors, a blank row, the footer; spaced: a blank
        // row above and after every field (the last one before the footer).
        let content = fields.count + errorLines.values.reduce(0) { $0 + $1.count } + 1 + footer.count
        let spaced = content + fields.count + 2 <= canvas.height - 2
        let height = content + (spaced ? fields.count : 0) + 2
        let rect = AppView.centered(canvas, width: width, height: height)
        canvas.fill(rect, background: .background)
        canvas.box(rect, title: form.editing.map { "Edit mapping \($0)" } ?? "Add mapping", focused: true)
        let inner = rect.inner
        let labelWidth = fields.map { TextWidth.of($0.label) }.max() ?? 0
        let valueX = inner.x + 1 + 2 + labelWidth + 2
        let valueWidth = max(1, inner.maxX - valueX - 1)
        // The footer keeps its rows; fields that do not fit are left out.
        let footerY = inner.maxY - footer.count
        var y = inner.y + (spaced ? 1 : 0)
        for field in fields where y < footerY - 1 {
            let focused = field == form.focus
            canvas.text((focused ? "▸ " : "  ") + field.label, x: inner.x + 1, y: y, role: focused ? .focus : .muted, bold: focused)
            let chooser = field.isChooser
            var value = form.value(field)
            if chooser {
                value = TextWidth.truncate("‹ \(value) ›", to: valueWidth)
            } else if focused {
                // The end being typed stays in view; the start gives way.
                value = TextWidth.tail(value, to: valueWidth - 1) + "▏"
            }
            canvas.text(value, x: valueX, y: y, maxWidth: valueWidth, role: .text, bold: focused)
            if focused { canvas.highlight(Rect(x: valueX, y: y, width: valueWidth, height: 1), background: .selection) }
            y += 1
            for line in errorLines[field] ?? [] where y < footerY - 1 {
                canvas.text(line, x: inner.x + 3, y: y, maxWidth: inner.width - 4, role: .error)
                y += 1
            }
            if spaced { y += 1 }
        }
        for (offset, line) in footer.enumerated() {
            canvas.text(line, x: inner.x + 1, y: footerY + offset, maxWidth: inner.width - 2,
                        role: form.saveError == nil ? .muted : .error, bold: form.saveError != nil)
        }
    }
}
