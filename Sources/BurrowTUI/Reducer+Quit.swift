import TerminalUI

/// Quitting: an attached UI just goes (the engine is `burrow up`'s); one
/// that started the engine asks whether to keep the tunnels running, unless
/// the answer was remembered or it was never asked to ask.
extension Reducer {
    static func requestQuit(_ state: inout AppState) -> [Effect] {
        let policy = state.quitPolicy
        if policy.attached { return quit(&state, .keepEngine) }
        // Nothing left to keep running.
        if state.engineStopped != nil || !policy.ask { return quit(&state, .stopEngine) }
        if let remembered = policy.remembered { return quit(&state, remembered ? .keepEngine : .stopEngine) }
        state.modal = .quitQuestion
        return []
    }

    static func answerQuitQuestion(_ key: Key, _ state: inout AppState) -> [Effect] {
        switch key {
        case .char("y"):
            state.modal = nil
            return quit(&state, .keepEngine)
        case .char("n"):
            state.modal = nil
            return quit(&state, .stopEngine)
        case .char("Y"), .char("N"):
            let keep = key == .char("Y")
            state.modal = nil
            state.quitPolicy.remembered = keep
            // Saved first: the loop ends once `quitting` is set and this effect has run.
            return [.saveQuitAnswer(keep)] + quit(&state, keep ? .keepEngine : .stopEngine)
        case .escape:
            state.modal = nil
        default:
            break
        }
        return []
    }
}
