import TerminalUI

/// The inspector window: a recorded request in full, and a replay's answer
/// beside it (side by side when the window is wide, above it otherwise).
extension AppView {
    /// One screen row of the inspector: the record, and the replay beside it.
    public struct InspectorRow: Sendable, Equatable {
        public var left: InspectorLine
        public var right: InspectorLine?
    }

    /// Text columns needed for two columns side by side.
    static let sideBySideWidth = 120

    static func inspectorRect(_ size: TerminalSize) -> Rect { fullViewRect(size) }

    /// Rows of content shown at once (the last two lines are the prompt and the hints).
    public static func inspectorCapacity(_ size: TerminalSize) -> Int { max(1, inspectorRect(size).height - 4) }

    static func inspectorTextWidth(_ size: TerminalSize) -> Int { max(10, inspectorRect(size).inner.width - 2) }

    static func inspectorSideBySide(_ inspector: Inspector, _ size: TerminalSize) -> Bool {
        inspector.replay != nil && inspector.exchange != nil && inspectorTextWidth(size) >= sideBySideWidth
    }

    public static func inspectorLines(_ inspector: Inspector, size: TerminalSize) -> [InspectorRow] {
        let width = inspectorTextWidth(size)
        let record: (Int) -> [InspectorLine]
        switch inspector.load {
        case .loading:
            return [InspectorRow(left: InspectorLine("loading request #\(inspector.id)…", .muted))]
        case .failed(let message):
            return [InspectorRow(left: InspectorLine("cannot show request #\(inspector.id): \(message)", .error, bold: true)),
                    InspectorRow(left: InspectorLine("Esc closes", .muted))]
        case .loaded(let exchange):
            record = { InspectorModel.record(exchange, revealed: inspector.revealed, width: $0) }
        }
        guard let replay = inspector.replay else { return record(width).map { InspectorRow(left: $0) } }
        if inspectorSideBySide(inspector, size) {
            let column = (width - 3) / 2
            let left = record(column)
            let right = InspectorModel.replay(replay, revealed: inspector.revealed, width: column)
            return (0..<max(left.count, right.count)).map { index in
                InspectorRow(left: index < left.count ? left[index] : InspectorLine(""),
                             right: index < right.count ? right[index] : InspectorLine(""))
            }
        }
        // Narrow: the replay first (it is what the person just asked for), then the record.
        let stacked = InspectorModel.replay(replay, revealed: inspector.revealed, width: width)
            + [InspectorLine(""), InspectorLine("ORIGINAL", .muted, bold: true)] + record(width)
        return stacked.map { InspectorRow(left: $0) }
    }

    static func inspector(_ canvas: inout Canvas, _ inspector: Inspector, _ state: AppState) {
        let rect = inspectorRect(state.size)
        canvas.fill(rect, background: .background)
        var title = "Request #\(inspector.id) · \(inspector.mapping)"
        if inspector.revealed { title += " · secrets shown" }
        canvas.box(rect, title: title, focused: true)
        let inner = rect.inner
        let rows = inspectorLines(inspector, size: state.size)
        let capacity = inspectorCapacity(state.size)
        let scroll = min(inspector.scroll, max(0, rows.count - capacity))
        let width = inspectorTextWidth(state.size)
        let column = (width - 3) / 2
        let sideBySide = inspectorSideBySide(inspector, state.size)
        for (offset, row) in rows.dropFirst(scroll).prefix(capacity).enumerated() {
            let y = inner.y + offset
            let x = inner.x + 1
            canvas.text(row.left.text, x: x, y: y, maxWidth: sideBySide ? column : width, role: row.left.role, bold: row.left.bold)
            if sideBySide, let right = row.right {
                canvas.text("│", x: x + column + 1, y: y, role: .border)
                canvas.text(right.text, x: x + column + 3, y: y, maxWidth: column, role: right.role, bold: right.bold)
            }
        }
        // The prompt line stays put whatever the scroll.
        let promptY = inner.maxY - 2
        switch inspector.replay {
        case .confirming(let method, _):
            canvas.text("\(method) is not idempotent: replay it? y/n", x: inner.x + 1, y: promptY, maxWidth: width, role: .warning, bold: true)
        case .sending:
            canvas.text("replaying…", x: inner.x + 1, y: promptY, maxWidth: width, role: .warning)
        case .editing:
            canvas.text("editing in $EDITOR…", x: inner.x + 1, y: promptY, maxWidth: width, role: .muted)
        case .failed(let message):
            canvas.text(message, x: inner.x + 1, y: promptY, maxWidth: width, role: .error, bold: true)
        case .done, .none:
            break
        }
        let shown = rows.isEmpty ? "0" : "\(scroll + 1)–\(min(rows.count, scroll + capacity)) of \(rows.count)"
        let reveal = inspector.revealed ? "v mask secrets" : "v reveal secrets"
        // The position first: the keys are in the key bar too.
        canvas.text("lines \(shown) · ↑↓ PgUp PgDn Home End scroll · r replay · R edit & replay · \(reveal) · Esc close",
                    x: inner.x + 1, y: inner.maxY - 1, maxWidth: width, role: .muted)
    }
}
