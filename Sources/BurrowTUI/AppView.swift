import BurrowCore
import TerminalUI

/// State → canvas: the whole frame, drawn from view models. Pure.
public enum AppView {
    public static func render(_ state: AppState) -> Canvas {
        var canvas = Canvas(width: state.size.columns, height: state.size.rows)
        if state.isTooSmall {
            let message = "terminal too small (need 80×24)"
            let size = "now \(state.size.columns)×\(state.size.rows)"
            canvas.text(message, x: max(0, (canvas.width - TextWidth.of(message)) / 2), y: max(0, canvas.height / 2 - 1), role: .warning, bold: true)
            canvas.text(size, x: max(0, (canvas.width - TextWidth.of(size)) / 2), y: canvas.height / 2, role: .muted)
            return canvas
        }
        let layout = Layout(state: state)
        header(&canvas, layout.header, state)
        tunnels(&canvas, layout.tunnels, state)
        mappings(&canvas, layout.mappings, state, layout: layout)
        detail(&canvas, layout.detail, state)
        log(&canvas, layout.log, state)
        keyBar(&canvas, layout.keyBar, state)
        switch state.modal {
        case .none: break
        case .help: help(&canvas)
        case .form(let form): FormView.draw(&canvas, form)
        case .confirmDelete(let name): confirm(&canvas, name)
        case .profiles(let index): profiles(&canvas, index, state)
        case .fullView(let view): fullView(&canvas, view, state)
        case .inspector(let inspector): self.inspector(&canvas, inspector, state)
        case .quitQuestion: quitQuestion(&canvas)
        }
        return canvas
    }

    static func header(_ canvas: inout Canvas, _ rect: Rect, _ state: AppState) {
        let model = HeaderModel.make(state)
        canvas.fill(rect, background: .header, role: .headerText)
        let fit = HeaderFit(width: rect.width, model: model, right: "\(state.themeName) · v\(model.version) ")
        var x = canvas.text(" burrow ", x: 0, y: rect.y, role: .headerText, bold: true)
        x = canvas.text("│ ", x: x, y: rect.y, role: .headerText)
        x = canvas.text(model.relay, x: x, y: rect.y, maxWidth: fit.relay, role: .headerText) + 1
        x = canvas.text("│ ", x: x, y: rect.y, role: .headerText)
        x = canvas.text(model.status.text, x: x, y: rect.y, maxWidth: fit.status, role: model.status.role, bold: true) + 1
        for part in fit.extras {
            x = canvas.text("│ " + part + " ", x: x, y: rect.y, role: .headerText)
        }
        if let right = fit.right {
            canvas.text(right, x: rect.width - TextWidth.of(right), y: rect.y, role: .headerText)
        }
    }

    static func tunnels(_ canvas: inout Canvas, _ rect: Rect, _ state: AppState) {
        let rows = TunnelRow.make(state)
        let scope = state.selectedTunnel.map { "showing \($0)" } ?? "showing all"
        canvas.box(rect, title: "Tunnels · \(scope)", focused: state.focus == .tunnels)
        let inner = rect.inner
        if rows.isEmpty {
            let idle = !state.mappings.contains(where: \.enabled)
            canvas.text(idle ? "no tunnel yet: it opens when a mapping is enabled (press a to add one)" : "starting the tunnel…",
                        x: inner.x + 1, y: inner.y, maxWidth: inner.width - 2, role: .muted)
            return
        }
        let nameWidth = min(16, max(6, rows.map { TextWidth.of($0.name) }.max() ?? 6))
        let statusWidth = min(40, max(9, rows.map { TextWidth.of($0.status.text) }.max() ?? 9))
        for (offset, row) in rows.prefix(inner.height).enumerated() {
            let y = inner.y + offset
            var x = inner.x + 1
            x = canvas.text(TextWidth.fit(row.name, to: nameWidth), x: x, y: y, role: .accent, bold: true) + 1
            x = canvas.text(TextWidth.fit(row.status.text, to: statusWidth), x: x, y: y, role: row.status.role) + 1
            x = canvas.text(TextWidth.fit("rtt " + row.rtt, to: 12), x: x, y: y, role: .text) + 1
            x = canvas.text(TextWidth.fit("up " + row.uptime, to: 10), x: x, y: y, role: .text) + 1
            x = canvas.text(TextWidth.fit(row.mappings, to: 12), x: x, y: y, role: .text) + 1
            x = canvas.text(TextWidth.fit(row.traffic, to: 11), x: x, y: y, role: .text) + 1
            canvas.text(row.relay, x: x, y: y, maxWidth: inner.maxX - x, role: .muted)
            if row.selected { canvas.highlight(Rect(x: inner.x, y: y, width: inner.width, height: 1), background: .selection) }
        }
    }

    /// Column widths for the mappings table; the URL takes what is left,
    /// the sparkline appears when there is room.
    struct Columns {
        var name: Int, proto = 5, local: Int, url: Int, state: Int, visitors: Int, rate: Int, spark: Int

        init(width: Int, rows: [MappingRow]) {
            name = min(16, max(4, rows.map { TextWidth.of($0.name) }.max() ?? 4))
            local = min(21, max(5, rows.map { TextWidth.of($0.local) }.max() ?? 5))
            // "disabled", or "online · service down" in full while a local service is down.
            state = min(21, max(8, rows.map { TextWidth.of($0.status.text) }.max() ?? 8))
            visitors = min(11, max(4, rows.map { TextWidth.of($0.visitors) }.max() ?? 4))
            rate = min(13, max(8, rows.map { TextWidth.of($0.rate) }.max() ?? 8))
            let fixed = name + proto + local + state + visitors + rate + 7   // 7 gaps
            var room = max(0, width - 2 - fixed)
            let longestURL = max(10, rows.map { TextWidth.of($0.url) }.max() ?? 10)
            // Room for the rate header's whole unit ("IN/OUT B/s", else "IN/OUT/s").
            if rate < 10, room >= longestURL + 10 - rate {
                room -= 10 - rate
                rate = 10
            }
            // The whole URL first (people copy it by eye too), then the sparkline.
            if room - longestURL - 1 >= 4 {
                url = longestURL
                spark = min(30, room - longestURL - 1)
            } else if room >= longestURL {
                url = room
                spark = 0
            } else if room >= 26 {
                spark = 6
                url = room - 7
            } else {
                url = room
                spark = 0
            }
        }
    }

    static func mappings(_ canvas: inout Canvas, _ rect: Rect, _ state: AppState, layout: Layout) {
        let sources = state.visibleMappings
        let rows = sources.map(MappingRow.make)
        var title = "Mappings (\(rows.count))"
        if state.editingFilter { title += " · filter: \(state.filter)▏" } else if !state.filter.isEmpty { title += " · filter: \(state.filter)" }
        canvas.box(rect, title: title, focused: state.focus == .mappings)
        let inner = rect.inner
        let columns = Columns(width: inner.width, rows: rows)
        var x = inner.x + 1
        let headers: [(String, Int)] = [("NAME", columns.name), ("PROTO", columns.proto), ("LOCAL", columns.local), ("PUBLIC URL", columns.url),
                                        ("STATE", columns.state), ("CONN", columns.visitors), (columns.rate >= 10 ? "IN/OUT B/s" : "IN/OUT/s", columns.rate)]
        for (label, width) in headers { x = canvas.text(TextWidth.fit(label, to: width), x: x, y: inner.y, role: .muted, bold: true) + 1 }
        if columns.spark > 0 { canvas.text(TextWidth.fit(columns.spark >= 9 ? "LAST 60 s" : "60 s", to: columns.spark), x: x, y: inner.y, role: .muted, bold: true) }
        if rows.isEmpty {
            canvas.text(state.filter.isEmpty ? "no mappings yet: press a to add one (or run `burrow map add http 3000`)" : "no mapping matches the filter",
                        x: inner.x + 1, y: inner.y + 1, maxWidth: inner.width - 2, role: .muted)
            return
        }
        for (index, row) in rows.enumerated() {
            guard let y = layout.mappingRowY(index, selected: state.mappingIndex) else { continue }
            let selected = index == state.mappingIndex
            let base: ThemeRole = selected ? .selectionText : .text
            let dim = row.dimmed
            var x = inner.x + 1
            x = canvas.text(TextWidth.fit(row.name, to: columns.name), x: x, y: y, role: selected ? .selectionText : .accent, bold: !dim, dim: dim) + 1
            x = canvas.text(TextWidth.fit(row.proto, to: columns.proto), x: x, y: y, role: dim ? .muted : base, dim: dim) + 1
            x = canvas.text(TextWidth.fit(row.local, to: columns.local), x: x, y: y, role: dim ? .muted : base, dim: dim) + 1
            x = canvas.text(TextWidth.fit(row.url, to: columns.url), x: x, y: y, role: dim ? .muted : (selected ? .selectionText : .title), dim: dim) + 1
            x = canvas.text(TextWidth.fit(row.status.text, to: columns.state), x: x, y: y, role: dim ? .muted : row.status.role, dim: dim) + 1
            x = canvas.text(TextWidth.fit(row.visitors, to: columns.visitors), x: x, y: y, role: dim ? .muted : base, dim: dim) + 1
            x = canvas.text(TextWidth.fit(row.rate, to: columns.rate), x: x, y: y, role: dim ? .muted : base, dim: dim) + 1
            if columns.spark > 0 {
                canvas.text(Sparkline.render(row.history, width: columns.spark), x: x, y: y, role: dim ? .muted : .sparkline, dim: dim)
            }
            if selected { canvas.highlight(Rect(x: inner.x, y: y, width: inner.width, height: 1), background: .selection) }
        }
        let hidden = rows.count - layout.mappingCapacity
        if hidden > 0 {
            canvas.text(" \(state.mappingIndex + 1)/\(rows.count) ", x: rect.maxX - 12, y: rect.maxY - 1, role: .muted)
        }
    }

    static func detail(_ canvas: inout Canvas, _ rect: Rect, _ state: AppState) {
        guard rect.height >= 3 else { return }
        guard let source = state.selectedMapping else {
            canvas.box(rect, title: "Detail", focused: state.focus == .detail)
            canvas.text("select a mapping to see its visitors and requests", x: rect.inner.x + 1, y: rect.inner.y, role: .muted)
            return
        }
        let model = DetailModel.make(source, now: state.now)
        // The mapping's line (name, URL, local, rules) is the box title: the
        // rows below are for the lists.
        canvas.box(rect, title: "Detail · \(model.title)", focused: state.focus == .detail)
        let inner = rect.inner
        var y = inner.y
        let left = inner.x + 1
        let width = inner.width - 2
        let end = left + width
        var x = canvas.text("Visitors ", x: left, y: y, maxWidth: end - left, role: .muted)
        for stat in model.stats {
            x = canvas.text(stat.label + " ", x: x, y: y, maxWidth: end - x, role: .muted)
            x = canvas.text(stat.value, x: x, y: y, maxWidth: end - x, role: .accent, bold: true) + 3
        }
        y += 1
        guard y < inner.maxY else { return }
        x = canvas.text("Bytes    ", x: left, y: y, maxWidth: end - left, role: .muted)
        x = canvas.text(model.bytes, x: x, y: y, maxWidth: end - x, role: .text) + 3
        if end - x > 12 {
            canvas.text(Sparkline.render(model.history, width: min(60, end - x)), x: x, y: y, role: .sparkline)
        }
        let geometry = DetailGeometry(rect: rect, model: model)
        y = geometry.titleY
        guard y < inner.maxY else { return }
        let hasRequests = model.requests != nil
        // Requests: the path stretches; the time of day goes first when it is narrow.
        let addressWidth = geometry.addressWidth
        let whenWidth = DetailGeometry.whenWidth, durationWidth = DetailGeometry.durationWidth, bytesWidth = DetailGeometry.bytesWidth
        let visitorsWidth = geometry.visitorsWidth
        let requestsX = geometry.requestsX
        canvas.text("LATEST VISITORS", x: left, y: y, maxWidth: visitorsWidth, role: .muted, bold: true)
        if hasRequests { canvas.text("LATEST HTTP REQUESTS", x: requestsX, y: y, maxWidth: end - requestsX, role: .muted, bold: true) }
        y += 1
        let space = inner.maxY - y
        guard space > 0 else { return }
        // With the pane focused, a selection moves over the requests (Enter inspects one).
        let selecting = state.focus == .detail && model.requests?.isEmpty == false
        let skip = DetailGeometry.skip(state, model: model, rows: space)
        if model.visitors.isEmpty {
            canvas.text("no visitors yet", x: left, y: y, maxWidth: visitorsWidth, role: .muted)
        }
        let visitorsEnd = left + visitorsWidth
        for (offset, visitor) in model.visitors.dropFirst(skip).prefix(space).enumerated() {
            var vx = left
            vx = canvas.text(TextWidth.fit(visitor.address, to: addressWidth), x: vx, y: y + offset, maxWidth: visitorsWidth, role: .text) + 1
            vx = canvas.text(TextWidth.fit(visitor.when, to: whenWidth), x: vx, y: y + offset, maxWidth: visitorsEnd - vx, role: .muted) + 1
            vx = canvas.text(TextWidth.fit(visitor.duration, to: durationWidth, alignRight: true), x: vx, y: y + offset, maxWidth: visitorsEnd - vx,
                             role: visitor.duration == "open" ? .online : .text) + 1
            canvas.text(TextWidth.fit(visitor.bytes, to: bytesWidth, alignRight: true), x: vx, y: y + offset, maxWidth: visitorsEnd - vx, role: .text)
        }
        if let requests = model.requests {
            if requests.isEmpty { canvas.text("no requests yet", x: requestsX, y: y, maxWidth: end - requestsX, role: .muted) }
            let methodWidth = min(7, max(3, requests.map { TextWidth.of($0.method) }.max() ?? 3))
            let tailWidth = durationWidth + 1 + bytesWidth
            // time, method, status (3), path (at least 16), tail
            let showTime = end - requestsX - (8 + 1 + methodWidth + 1 + 3 + 1 + 1 + tailWidth) >= 16
            for (offset, request) in requests.dropFirst(skip).prefix(space).enumerated() {
                var rx = requestsX
                if showTime { rx = canvas.text(request.time, x: rx, y: y + offset, maxWidth: end - rx, role: .muted) + 1 }
                rx = canvas.text(TextWidth.fit(request.method, to: methodWidth), x: rx, y: y + offset, maxWidth: end - rx, role: .text, bold: true) + 1
                rx = canvas.text(request.status, x: rx, y: y + offset, maxWidth: end - rx, role: request.statusRole, bold: true) + 1
                // Fixed-width tail so the paths line up.
                let tail = TextWidth.fit(request.duration, to: durationWidth, alignRight: true) + " "
                    + TextWidth.fit(request.size, to: bytesWidth, alignRight: true)
                let pathWidth = max(4, end - rx - tailWidth - 1)
                rx = canvas.text(TextWidth.fit(request.path, to: pathWidth), x: rx, y: y + offset, maxWidth: end - rx, role: .text) + 1
                canvas.text(tail, x: rx, y: y + offset, maxWidth: end - rx, role: .muted)
                if selecting, skip + offset == state.requestIndex {
                    canvas.highlight(Rect(x: requestsX - 1, y: y + offset, width: end - requestsX + 2, height: 1),
                                     background: .selection, role: .selectionText)
                }
            }
        }
    }

    static func log(_ canvas: inout Canvas, _ rect: Rect, _ state: AppState) {
        guard rect.height >= 3 else { return }
        canvas.box(rect, title: "Log", focused: state.focus == .log)
        let inner = rect.inner
        if state.log.isEmpty { canvas.text("no events yet", x: inner.x + 1, y: inner.y, role: .muted) }
        for (offset, entry) in state.log.dropFirst(state.logScroll).prefix(inner.height).enumerated() {
            let x = canvas.text(Format.clock(entry.time) + " ", x: inner.x + 1, y: inner.y + offset, role: .muted)
            canvas.text(entry.text, x: x, y: inner.y + offset, maxWidth: inner.maxX - x - 1, role: entry.role)
        }
    }

    static func keyBar(_ canvas: inout Canvas, _ rect: Rect, _ state: AppState) {
        var bindings: [(String, String)]
        switch state.modal {
        case .form: bindings = [("Enter", "save"), ("Esc", "cancel"), ("Tab/↑↓", "field"), ("←→/Space", "choose")]
        case .fullView: bindings = [("↑↓ PgUp PgDn", "scroll"), ("g G", "top, end"), ("Esc", "close")]
        case .help: bindings = [("Esc", "close")]
        case .confirmDelete: bindings = [("y", "delete"), ("n/Esc", "keep")]
        case .profiles: bindings = [("↑↓", "choose"), ("Enter", "select"), ("Esc", "cancel")]
        case .inspector(let inspector):
            if case .confirming = inspector.replay {
                bindings = [("y", "replay"), ("n/Esc", "do not replay")]
            } else {
                bindings = [("↑↓ PgUp PgDn", "scroll"), ("r", "replay"), ("R", "edit & replay"),
                            ("v", inspector.revealed ? "mask" : "reveal"), ("Esc", "close")]
            }
        case .quitQuestion: bindings = [("y", "keep running"), ("n", "stop them"), ("Y/N", "always"), ("Esc", "stay")]
        case .none:
            bindings = state.editingFilter ? [("Enter", "keep filter"), ("Esc", "clear"), ("↑↓", "move")]
                : KeyBindings.bar(for: state.focus, requests: state.selectedRequests?.isEmpty == false).map { ($0.key, $0.label) }
        }
        // When the bar is too narrow, drop from the middle: the first
        // bindings and the last two (help, quit) always show.
        let needed = { (list: [(String, String)]) in list.reduce(1) { $0 + TextWidth.of($1.0) + TextWidth.of($1.1) + 3 } }
        while bindings.count > 4, needed(bindings) > rect.width {
            bindings.remove(at: bindings.count - 3)
        }
        var x = 1
        for (key, label) in bindings {
            if x + TextWidth.of(key) + TextWidth.of(label) + 1 > rect.width { break }
            x = canvas.text(key, x: x, y: rect.y, role: .key, bold: true) + 1
            x = canvas.text(label, x: x, y: rect.y, role: .muted) + 2
        }
        // The toast sits in the bottom border above the bar, so it never
        // hides a key hint.
        if let toast = state.toast, rect.y > 0 {
            let text = " \(toast.text) "
            let width = min(TextWidth.of(text), rect.width - 4)
            canvas.text(text, x: rect.width - width - 2, y: rect.y - 1, maxWidth: width, role: toast.role, bold: true)
        }
    }
}
