import TerminalUI

/// The windows drawn over the main screen: help, delete confirmation, profile switcher.
extension AppView {
    static func centered(_ canvas: Canvas, width: Int, height: Int) -> Rect {
        let w = min(width, canvas.width - 2)
        let h = min(height, canvas.height - 2)
        return Rect(x: (canvas.width - w) / 2, y: (canvas.height - h) / 2, width: w, height: h)
    }

    static func help(_ canvas: inout Canvas) {
        let bindings = (KeyBindings.main + KeyBindings.inspector).filter(\.shownInHelp)
        // Two columns when one does not fit (80×24 and other short terminals).
        let columns = bindings.count + 4 <= canvas.height - 2 ? 1 : 2
        let perColumn = (bindings.count + columns - 1) / columns
        let rect = centered(canvas, width: columns == 1 ? 64 : 78, height: perColumn + 4)
        canvas.fill(rect, background: .background)
        canvas.box(rect, title: "Keys", focused: true)
        let columnWidth = (rect.inner.width - 2) / columns
        for (index, binding) in bindings.enumerated() {
            let y = rect.inner.y + index % perColumn
            let x = rect.inner.x + 1 + (index / perColumn) * columnWidth
            guard y < rect.inner.maxY - 1 else { continue }
            let keyWidth = columns == 1 ? 14 : 10
            canvas.text(TextWidth.fit(binding.keyText, to: keyWidth), x: x, y: y, role: .key, bold: true)
            canvas.text(binding.description, x: x + keyWidth + 1, y: y, maxWidth: columnWidth - keyWidth - 1, role: .text)
        }
        canvas.text("Esc or ? closes · mouse: click a row to select it", x: rect.inner.x + 1, y: rect.inner.maxY - 1, role: .muted)
    }

    static func confirm(_ canvas: inout Canvas, _ name: String) {
        let rect = centered(canvas, width: 52, height: 5)
        canvas.fill(rect, background: .background)
        canvas.box(rect, title: "Delete mapping", focused: true)
        canvas.text("Delete '\(name)'? Its public URL stops working.", x: rect.inner.x + 1, y: rect.inner.y, maxWidth: rect.inner.width - 2, role: .text)
        let x = canvas.text("y", x: rect.inner.x + 1, y: rect.inner.y + 2, role: .key, bold: true)
        let x2 = canvas.text(" delete   ", x: x, y: rect.inner.y + 2, role: .muted)
        let x3 = canvas.text("n/Esc", x: x2, y: rect.inner.y + 2, role: .key, bold: true)
        canvas.text(" keep", x: x3, y: rect.inner.y + 2, role: .muted)
    }

    static func quitQuestion(_ canvas: inout Canvas) {
        let rect = centered(canvas, width: 66, height: 7)
        canvas.fill(rect, background: .background)
        canvas.box(rect, title: "Quit", focused: true)
        let x = rect.inner.x + 1
        let width = rect.inner.width - 2
        canvas.text("Keep the tunnels running in the background?", x: x, y: rect.inner.y, maxWidth: width, role: .text, bold: true)
        var next = x
        for (key, label) in [("y", " yes · "), ("n", " no, stop them · "), ("Esc", " stay")] {
            next = canvas.text(key, x: next, y: rect.inner.y + 2, role: .key, bold: true)
            next = canvas.text(label, x: next, y: rect.inner.y + 2, role: .muted)
        }
        next = x
        for (key, label) in [("Y", " always keep · "), ("N", " never keep (remembered in config.json)")] {
            next = canvas.text(key, x: next, y: rect.inner.y + 3, role: .key, bold: true)
            next = canvas.text(label, x: next, y: rect.inner.y + 3, maxWidth: rect.inner.maxX - next - 1, role: .muted)
        }
    }

    static func profiles(_ canvas: inout Canvas, _ index: Int, _ state: AppState) {
        let names = ["(none: embedded relay on 127.0.0.1)"] + state.profiles.map {
            // A fleet: `prod  burrow@r1:2222 +2 relays`.
            "\($0.name)  \($0.user)@\($0.endpoint)" + ($0.fleet.isEmpty ? "" : " +\($0.members.count - 1) relays")
        }
        let rect = centered(canvas, width: 56, height: names.count + 4)
        canvas.fill(rect, background: .background)
        canvas.box(rect, title: "Profile", focused: true)
        for (offset, name) in names.enumerated() where rect.inner.y + offset < rect.inner.maxY - 1 {
            let y = rect.inner.y + offset
            let current = (offset == 0 && state.selectedProfile == nil) || (offset > 0 && state.profiles[offset - 1].name == state.selectedProfile)
            canvas.text((current ? "● " : "  ") + name, x: rect.inner.x + 1, y: y, maxWidth: rect.inner.width - 2,
                        role: offset == index ? .selectionText : .text)
            if offset == index { canvas.highlight(Rect(x: rect.inner.x, y: y, width: rect.inner.width, height: 1), background: .selection) }
        }
        canvas.text("Enter selects · Esc cancels · add with `burrow profile add`", x: rect.inner.x + 1, y: rect.inner.maxY - 1,
                    maxWidth: rect.inner.width - 2, role: .muted)
    }
}
