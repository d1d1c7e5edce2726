import TerminalUI

/// Draws the add/edit mapping form, with each field's error under it.
enum FormView {
    static func draw(_ canvas: inout Canvas, _ form: MappingForm) {
        let errors = form.errors
        let height = 3 + MappingForm.Field.allCases.count * 2 + 2
        let rect = AppView.centered(canvas, width: 76, height: height)
        canvas.fill(rect, background: .background)
        canvas.box(rect, title: form.editing.map { "Edit mapping \($0)" } ?? "Add mapping", focused: true)
        let inner = rect.inner
        var y = inner.y + 1
        for field in MappingForm.Field.allCases {
            let focused = field == form.focus
            canvas.text((focused ? "▸ " : "  ") + field.label, x: inner.x + 1, y: y, role: focused ? .focus : .muted, bold: focused)
            let valueX = inner.x + 27
            let chooser = field == .protocol || field == .tunnel || field == .proxyProtocol
            var value = form.value(field)
            if chooser { value = "‹ \(value) ›" } else if focused { value += "▏" }
            canvas.text(value, x: valueX, y: y, maxWidth: inner.maxX - valueX - 1, role: focused ? .text : .text, bold: focused)
            if focused { canvas.highlight(Rect(x: valueX, y: y, width: max(1, inner.maxX - valueX - 1), height: 1), background: .selection) }
            if let error = errors[field] {
                canvas.text(error, x: inner.x + 3, y: y + 1, maxWidth: inner.width - 4, role: .error)
            }
            y += 2
        }
        if let saveError = form.saveError {
            canvas.text(saveError, x: inner.x + 1, y: inner.maxY - 1, maxWidth: inner.width - 2, role: .error, bold: true)
        } else {
            canvas.text("Enter saves · Esc cancels · Tab/↑↓ move · ←→/Space choose", x: inner.x + 1, y: inner.maxY - 1,
                        maxWidth: inner.width - 2, role: .muted)
        }
    }
}
