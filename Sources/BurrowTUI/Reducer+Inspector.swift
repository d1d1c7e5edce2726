import BurrowCore
import TerminalUI

/// The request list of the detail pane and the inspector window: select a
/// request, open it (fetched from the engine), scroll, reveal secrets,
/// replay it (asking first for a method that is not idempotent) or edit it
/// in `$EDITOR` and replay that.
extension Reducer {
    static func moveRequestSelection(by delta: Int, _ requests: [HTTPRequestRecord], _ state: inout AppState) {
        let current = min(max(0, state.requestIndex), requests.count - 1)
        let index = min(max(0, current + max(-requests.count, min(requests.count, delta))), requests.count - 1)
        state.requestIndex = index
        state.requestID = requests[index].id == 0 ? nil : requests[index].id
    }

    /// Newer requests push the list down: keep the same request selected.
    static func followSelectedRequest(_ state: inout AppState) {
        guard let requests = state.selectedRequests, !requests.isEmpty else {
            state.requestIndex = 0
            return
        }
        if let id = state.requestID, let index = requests.firstIndex(where: { $0.id == id }) {
            state.requestIndex = index
        } else {
            state.requestIndex = min(state.requestIndex, requests.count - 1)
        }
    }

    /// A click in the detail pane focuses it; on a request it selects it,
    /// and on the selected one it opens it.
    static func clickDetail(x: Int, y: Int, _ rect: Rect, _ state: inout AppState) -> [Effect] {
        defer { state.focus = .detail }
        guard let source = state.selectedMapping, let requests = state.selectedRequests, !requests.isEmpty else { return [] }
        let model = DetailModel.make(source, now: state.now)
        let geometry = DetailGeometry(rect: rect, model: model)
        guard x >= geometry.requestsX, y >= geometry.firstRowY, y < geometry.firstRowY + geometry.rows else { return [] }
        let index = DetailGeometry.skip(state, model: model, rows: geometry.rows) + y - geometry.firstRowY
        guard index < requests.count else { return [] }
        if state.focus == .detail, index == state.requestIndex {
            return inspectSelectedRequest(&state)
        }
        state.requestIndex = index
        state.requestID = requests[index].id == 0 ? nil : requests[index].id
        return []
    }

    static func inspectSelectedRequest(_ state: inout AppState) -> [Effect] {
        guard let source = state.selectedMapping, let requests = state.selectedRequests, !requests.isEmpty else { return [] }
        let request = requests[min(max(0, state.requestIndex), requests.count - 1)]
        guard request.id != 0 else {
            state.toast = Toast(text: "this request was not kept by the inspector", role: .warning, until: state.now + toastSeconds)
            return []
        }
        state.modal = .inspector(Inspector(id: request.id, mapping: source.mapping.name))
        return [.fetchExchange(request.id)]
    }

    static func handleInspector(_ inspector: Inspector, _ key: Key, _ state: inout AppState) -> [Effect] {
        var inspector = inspector
        let previousScroll = inspector.scroll
        if case .confirming(let method, let edited) = inspector.replay {
            switch key {
            case .char("y"), .char("Y"):
                inspector.replay = .sending(edited: edited != nil)
                state.modal = .inspector(inspector)
                return [.replay(inspector.id, edited: edited, confirmed: true)]
            case .char("n"), .char("N"), .escape:
                inspector.replay = nil
                state.modal = .inspector(inspector)
                state.toast = Toast(text: "\(method) not replayed", until: state.now + toastSeconds)
            default:
                break
            }
            return []
        }
        let capacity = AppView.inspectorCapacity(state.size)
        // Counting the lines lays out the bodies: only moves down need it.
        var last: Int { max(0, AppView.inspectorLines(inspector, size: state.size).count - capacity) }
        // The inspector's own keys first (its `v` is not the main full view).
        switch KeyBindings.command(for: key, in: KeyBindings.inspector + KeyBindings.main) {
        case .back, .quit:
            state.modal = nil
            return []
        case .moveUp: inspector.scroll -= 1
        case .moveDown: inspector.scroll += 1
        case .pageUp: inspector.scroll -= capacity - 1
        case .pageDown: inspector.scroll += capacity - 1
        case .top: inspector.scroll = 0
        case .bottom: inspector.scroll = last
        case .reveal:
            inspector.revealed.toggle()
        case .replay, .editReplay:
            guard let exchange = inspector.exchange else { return [] }
            if case .sending = inspector.replay { return [] }
            if case .editing = inspector.replay { return [] }
            if KeyBindings.command(for: key, in: KeyBindings.inspector) == .editReplay {
                if let reason = RequestText.cannotEdit(exchange) {
                    inspector.replay = .failed(reason)
                    state.modal = .inspector(inspector)
                    return []
                }
                inspector.replay = .editing
                state.modal = .inspector(inspector)
                return [.editRequest(exchange)]
            }
            if !exchange.isIdempotent {
                inspector.replay = .confirming(method: exchange.method, edited: nil)
                state.modal = .inspector(inspector)
                return []
            }
            inspector.replay = .sending(edited: false)
            state.modal = .inspector(inspector)
            return [.replay(inspector.id, edited: nil, confirmed: false)]
        default:
            return []
        }
        inspector.scroll = max(0, inspector.scroll)
        if inspector.scroll > previousScroll { inspector.scroll = min(inspector.scroll, last) }
        state.modal = .inspector(inspector)
        return []
    }

    /// Answers from the engine and the editor: they land in the inspector
    /// still showing that exchange (one closed meanwhile just logs them).
    static func inspectorResult(_ action: Action, _ state: inout AppState) -> [Effect] {
        var open: Inspector?
        if case .inspector(let inspector) = state.modal { open = inspector }
        func update(_ id: UInt64, _ change: (inout Inspector) -> Void) {
            guard var inspector = open, inspector.id == id else { return }
            change(&inspector)
            state.modal = .inspector(inspector)
        }
        switch action {
        case .exchangeLoaded(let exchange):
            update(exchange.id) { $0.load = .loaded(exchange) }
        case .exchangeFailed(let id, let message):
            update(id) { $0.load = .failed(message) }
        case .requestEdited(let id, let request):
            guard let inspector = open, inspector.id == id else { return [] }
            // Sent without asking only when the edited method is idempotent.
            if !HTTPExchange.idempotentMethods.contains(request.method.uppercased()) {
                update(id) { $0.replay = .confirming(method: request.method, edited: request) }
                return []
            }
            update(id) { $0.replay = .sending(edited: true) }
            return [.replay(id, edited: request, confirmed: true)]
        case .replayed(let id, let exchange):
            var edited = false
            if let inspector = open, inspector.id == id, case .sending(let wasEdited) = inspector.replay { edited = wasEdited }
            update(id) {
                $0.replay = .done(exchange, edited: edited)
                $0.scroll = 0
            }
            let status = exchange.status.map(String.init) ?? "no answer"
            let took = exchange.totalMs.map { " in " + Format.duration(milliseconds: $0) } ?? ""
            appendLog(&state, LogEntry(time: state.now, text: "replayed request #\(id) \(exchange.method) \(exchange.target): \(status)\(took) (#\(exchange.id))",
                                       level: (exchange.status ?? 500) < 500 ? .good : .warning))
        case .replayFailed(let id, let message):
            update(id) { $0.replay = .failed(message) }
            appendLog(&state, LogEntry(time: state.now, text: "request #\(id): \(message)", level: .error))
        default:
            break
        }
        return []
    }
}
