import BurrowCore

/// A word and its colour, e.g. "● online" in the online role.
public struct StatusText: Sendable, Equatable {
    public var text: String
    public var role: ThemeRole

    public init(_ text: String, _ role: ThemeRole) {
        self.text = text
        self.role = role
    }

    public static let idle = StatusText("○ idle: no enabled mappings", .muted)

    public static func of(_ state: TunnelState, now: Double) -> StatusText {
        switch state {
        case .connecting: return StatusText("◌ connecting", .warning)
        case .online: return StatusText("● online", .online)
        case .reconnecting(let retryAt, let reason):
            let seconds = max(0, Int((retryAt - now).rounded(.up)))
            return StatusText("◌ reconnecting in \(seconds) s (\(reason))", .warning)
        case .offline(let reason): return StatusText("○ offline: \(reason)", .error)
        }
    }

    /// A mapping's state; an online mapping whose local service refuses the
    /// agent's dials says so (it clears when a dial succeeds).
    public static func of(_ state: MappingState?, serviceDown: Bool, https: HTTPSStatus? = nil) -> StatusText {
        if case .online = state, serviceDown { return StatusText("online · service down", .warning) }
        if case .online = state {
            switch https {
            case .pending: return StatusText("https pending", .warning)
            case .failed: return StatusText("https failed", .error)
            case .ready, .none: break
            }
        }
        return of(state)
    }

    public static func of(_ state: MappingState?) -> StatusText {
        switch state {
        case .none, .pending: return StatusText("pending", .warning)
        case .disabled: return StatusText("disabled", .muted)
        case .online: return StatusText("online", .online)
        case .refused: return StatusText("refused", .error)
        }
    }
}
