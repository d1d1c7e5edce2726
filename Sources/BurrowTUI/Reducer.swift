import BurrowCore
import TerminalUI

/// The only place state changes: `reduce(&state, action)` returns the
/// effects to run. Pure, so every transition is tested without a terminal.
public enum Reducer {
    static let toastSeconds = 3.0

    public static func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
        switch action {
        case .input(let event):
            return handle(event, &state)
        case .snapshot(let snapshot):
            state.snapshot = snapshot
            if state.tunnelIndex > snapshot.tunnels.count { state.tunnelIndex = 0 }
            clampSelection(&state)
            followSelectedRequest(&state)
            if state.engineStopped != nil {
                state.engineStopped = nil
                appendLog(&state, LogEntry(time: state.now, text: "the engine answers again", level: .good))
            }
        case .engineEvent(let event, let time):
            appendLog(&state, LogEntry(time: time, text: event.humanLine, level: level(of: event)))
        case .mappingsChanged(let mappings):
            var selectedName = state.selectedMapping?.mapping.name
            // Saved from the form: the new (or renamed) mapping is selected.
            // One added from another shell does not take the selection.
            if case .form = state.modal {
                let before = Set(state.mappings.map(\.name))
                if let added = mappings.first(where: { !before.contains($0.name) }) { selectedName = added.name }
            }
            state.mappings = mappings
            if let selectedName, let index = state.visibleMappings.firstIndex(where: { $0.mapping.name == selectedName }) {
                state.mappingIndex = index
            }
            clampSelection(&state)
        case .profilesChanged(let profiles, let selected):
            state.profiles = profiles
            state.selectedProfile = selected
            // An open switcher starts again from the current profile, so the
            // highlight never points at a row that moved.
            if case .profiles = state.modal { state.modal = .profiles(index: currentProfileIndex(state)) }
        case .tick(let now):
            state.now = now
            if let toast = state.toast, toast.until <= now { state.toast = nil }
        case .succeeded(let message):
            if case .form = state.modal { state.modal = nil }
            if case .confirmDelete = state.modal { state.modal = nil }
            state.toast = Toast(text: message, until: state.now + toastSeconds)
        case .failed(let message):
            if case .form(var form) = state.modal {
                form.saveError = message
                state.modal = .form(form)
            } else {
                if case .confirmDelete = state.modal { state.modal = nil }
                state.toast = Toast(text: message, role: .error, until: state.now + toastSeconds)
            }
            appendLog(&state, LogEntry(time: state.now, text: message, level: .error))
        case .log(let text, let level):
            appendLog(&state, LogEntry(time: state.now, text: text, level: level))
        case .exchangeLoaded, .exchangeFailed, .requestEdited, .replayed, .replayFailed:
            return inspectorResult(action, &state)
        case .engineStopped(let reason):
            guard state.engineStopped == nil else { return [] }
            state.engineStopped = reason
            appendLog(&state, LogEntry(time: state.now, text: "the engine stopped: \(reason); q to quit", level: .error))
        case .quitAnswerChanged(let answer):
            state.quitPolicy.remembered = answer
        }
        return []
    }

    static func level(of event: EngineEvent) -> LogEntry.Level {
        switch event {
        case .connected, .online: return .good
        case .connecting, .removed, .disabled, .moved, .notice: return .info
        case .reconnecting: return .warning
        case .offline, .error: return .error
        }
    }

    static func appendLog(_ state: inout AppState, _ entry: LogEntry) {
        state.log.insert(entry, at: 0)
        if state.log.count > AppState.logLimit { state.log.removeLast(state.log.count - AppState.logLimit) }
    }

    static func clampSelection(_ state: inout AppState) {
        let count = state.visibleMappings.count
        state.mappingIndex = count == 0 ? 0 : min(max(0, state.mappingIndex), count - 1)
    }

    // MARK: input

    static func handle(_ event: InputEvent, _ state: inout AppState) -> [Effect] {
        switch event {
        case .resize(let size):
            state.size = size
            clampSelection(&state)
            return []
        case .click(let x, let y):
            return click(x: x, y: y, &state)
        case .terminate:
            // A signal does not wait for an answer: the remembered one, else stop.
            return quit(&state, state.quitPolicy.attached || state.quitPolicy.remembered == true ? .keepEngine : .stopEngine)
        case .wheel(let up):
            if case .fullView(let view) = state.modal { return handleModal(.fullView(view), up ? .up : .down, &state) }
            if case .inspector(let inspector) = state.modal { return handleModal(.inspector(inspector), up ? .up : .down, &state) }
            guard state.modal == nil else { return [] }
            return run(up ? .moveUp : .moveDown, &state)
        case .key(let key):
            if key == .ctrl("c") {
                // A second Ctrl-C at the question quits as quitting always did.
                if state.modal == .quitQuestion { return quit(&state, .stopEngine) }
                return requestQuit(&state)
            }
            // Ctrl-Z works from anywhere, a form or popup included (it stays open).
            if key == .ctrl("z") { return [.suspend] }
            if let modal = state.modal { return handleModal(modal, key, &state) }
            if state.editingFilter { return handleFilter(key, &state) }
            guard let command = KeyBindings.command(for: key) else { return [] }
            return run(command, &state)
        }
    }

    static func quit(_ state: inout AppState, _ exit: TUIExit) -> [Effect] {
        state.quitting = true
        state.exit = exit
        return [.quit]
    }

    static func handleFilter(_ key: Key, _ state: inout AppState) -> [Effect] {
        switch key {
        case .enter: state.editingFilter = false
        case .escape: state.editingFilter = false; state.filter = ""
        case .backspace: if !state.filter.isEmpty { state.filter.removeLast() }
        case .char(let character): state.filter.append(character)
        case .up, .down: return run(key == .up ? .moveUp : .moveDown, &state)
        default: break
        }
        state.mappingIndex = 0
        clampSelection(&state)
        return []
    }

    static func click(x: Int, y: Int, _ state: inout AppState) -> [Effect] {
        guard state.modal == nil, !state.isTooSmall else { return [] }
        let layout = Layout(state: state)
        if layout.mappings.contains(x: x, y: y) {
            state.focus = .mappings
            if let index = layout.mappingIndex(atY: y, selected: state.mappingIndex, count: state.visibleMappings.count) {
                state.mappingIndex = index
                state.detailScroll = 0
                state.requestIndex = 0
                state.requestID = nil
            }
        } else if layout.tunnels.contains(x: x, y: y) {
            state.focus = .tunnels
            let row = y - layout.tunnels.y - 1
            if row >= 0, row < state.snapshot.tunnels.count {
                // Clicking the selected tunnel again shows all tunnels.
                state.tunnelIndex = state.tunnelIndex == row + 1 ? 0 : row + 1
                state.mappingIndex = 0
                clampSelection(&state)
            }
        } else if layout.detail.contains(x: x, y: y) {
            return clickDetail(x: x, y: y, layout.detail, &state)
        } else if layout.log.contains(x: x, y: y) {
            state.focus = .log
        }
        return []
    }

    // MARK: commands

    static func run(_ command: Command, _ state: inout AppState) -> [Effect] {
        let selected = state.selectedMapping
        switch command {
        case .quit:
            return requestQuit(&state)
        case .suspend:
            return [.suspend]
        case .moveUp, .moveDown, .pageUp, .pageDown, .top, .bottom:
            move(command, &state)
        case .nextPane:
            state.focus = state.focus.next
        case .previousPane:
            state.focus = state.focus.previous
        case .focusDetail:
            switch state.focus {
            case .tunnels: state.focus = .mappings
            case .mappings: state.focus = .detail
            case .detail:
                if let requests = state.selectedRequests, !requests.isEmpty { return inspectSelectedRequest(&state) }
                return run(.fullView, &state)
            case .log: return run(.fullView, &state)
            }
        case .fullView:
            if state.focus == .log {
                state.modal = .fullView(FullView(subject: .log))
            } else {
                guard let selected else { return nothing(&state) }
                state.modal = .fullView(FullView(subject: .mapping(selected.mapping.name)))
            }
        case .back:
            if !state.filter.isEmpty { state.filter = ""; clampSelection(&state) }
            state.focus = .mappings
        case .help:
            state.modal = .help
        case .add:
            state.modal = .form(MappingForm(profiles: state.profiles.map(\.name), takenNames: Set(state.mappings.map(\.name))))
        case .edit:
            guard let selected else { return nothing(&state) }
            state.modal = .form(MappingForm(editing: selected.mapping, profiles: state.profiles.map(\.name),
                                            takenNames: Set(state.mappings.map(\.name))))
        case .delete:
            guard let selected else { return nothing(&state) }
            state.modal = .confirmDelete(selected.mapping.name)
        case .toggle:
            guard let selected else { return nothing(&state) }
            return [.setEnabled(selected.mapping.name, !selected.mapping.enabled)]
        case .copy, .open:
            guard let selected else { return nothing(&state) }
            guard let url = selected.live?.publicURL else {
                state.toast = Toast(text: "\(selected.mapping.name) has no public URL yet", role: .warning, until: state.now + toastSeconds)
                return []
            }
            return [command == .copy ? .copy(url.description) : .open(url.description)]
        case .nextTheme:
            guard !state.themeNames.isEmpty else { return [] }
            let index = state.themeNames.firstIndex(of: state.themeName) ?? -1
            state.themeName = state.themeNames[(index + 1) % state.themeNames.count]
            state.toast = Toast(text: "theme: \(state.themeName)", until: state.now + toastSeconds)
            return [.saveTheme(state.themeName)]
        case .filter:
            state.editingFilter = true
            state.focus = .mappings
        case .profiles:
            state.modal = .profiles(index: currentProfileIndex(state))
        case .replay, .editReplay, .reveal:
            // Keys of the inspector window only.
            break
        }
        return []
    }

    /// The switcher row of the selected profile (0 = none).
    static func currentProfileIndex(_ state: AppState) -> Int {
        state.selectedProfile.flatMap { name in state.profiles.firstIndex { $0.name == name } }.map { $0 + 1 } ?? 0
    }

    static func nothing(_ state: inout AppState) -> [Effect] {
        state.toast = Toast(text: "no mapping selected: press a to add one", role: .warning, until: state.now + toastSeconds)
        return []
    }

    static func move(_ command: Command, _ state: inout AppState) {
        let page = max(1, Layout(state: state).mappingCapacity - 1)
        let delta: Int
        switch command {
        case .moveUp: delta = -1
        case .moveDown: delta = 1
        case .pageUp: delta = -page
        case .pageDown: delta = page
        case .top: delta = -Int(Int32.max)
        default: delta = Int(Int32.max)
        }
        switch state.focus {
        case .tunnels:
            state.tunnelIndex = min(max(0, state.tunnelIndex + delta), state.snapshot.tunnels.count)
            state.mappingIndex = 0
            clampSelection(&state)
        case .mappings:
            state.mappingIndex += delta
            state.detailScroll = 0
            state.requestIndex = 0
            state.requestID = nil
            clampSelection(&state)
        case .detail:
            if let requests = state.selectedRequests, !requests.isEmpty {
                moveRequestSelection(by: command == .pageUp || command == .pageDown ? delta.signum() * 5 : delta, requests, &state)
            } else {
                state.detailScroll = min(max(0, state.detailScroll + delta), 50)
            }
        case .log:
            state.logScroll = min(max(0, state.logScroll + delta), max(0, state.log.count - 1))
        }
    }

    // MARK: modals

    static func handleModal(_ modal: Modal, _ key: Key, _ state: inout AppState) -> [Effect] {
        switch modal {
        case .inspector(let inspector):
            return handleInspector(inspector, key, &state)
        case .quitQuestion:
            return answerQuitQuestion(key, &state)
        case .help:
            if key == .escape || key == .char("?") || key == .char("q") || key == .enter { state.modal = nil }
            return []
        case .fullView(var view):
            let capacity = AppView.fullViewCapacity(state.size)
            let lines = AppView.fullViewLines(view, state, width: AppView.fullViewRect(state.size).inner.width - 4).count
            let last = max(0, lines - capacity)
            switch key {
            case .escape, .char("q"), .char("v"), .enter: state.modal = nil; return []
            case .up, .char("k"): view.scroll -= 1
            case .down, .char("j"): view.scroll += 1
            case .pageUp: view.scroll -= capacity - 1
            case .pageDown, .char(" "): view.scroll += capacity - 1
            case .home, .char("g"): view.scroll = 0
            case .end, .char("G"): view.scroll = last
            default: return []
            }
            view.scroll = min(max(0, min(view.scroll, last)), last)
            state.modal = .fullView(view)
            return []
        case .confirmDelete(let name):
            switch key {
            case .char("y"), .char("Y"), .enter:
                return [.deleteMapping(name)]
            case .char("n"), .char("N"), .escape, .char("q"):
                state.modal = nil
            default: break
            }
            return []
        case .profiles(let index):
            let count = state.profiles.count + 1
            switch key {
            case .up, .char("k"): state.modal = .profiles(index: (index + count - 1) % count)
            case .down, .char("j"): state.modal = .profiles(index: (index + 1) % count)
            case .escape, .char("q"): state.modal = nil
            case .enter:
                state.modal = nil
                let name = index == 0 ? nil : state.profiles[index - 1].name
                return [.selectProfile(name)]
            default: break
            }
            return []
        case .form(var form):
            switch key {
            case .escape:
                state.modal = nil
            case .enter:
                form.submitted = true
                if let draft = form.draft {
                    state.modal = .form(form)
                    return [.saveMapping(draft, replacing: form.editing)]
                }
                // Jump to the first field with an error.
                if let first = MappingForm.Field.allCases.first(where: { form.errors[$0] != nil }) { form.focus = first }
                state.modal = .form(form)
            default:
                _ = form.handle(key)
                state.modal = .form(form)
            }
            return []
        }
    }
}
