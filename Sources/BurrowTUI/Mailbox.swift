import Synchronization

/// Where the async world (engine snapshots and events, file watchers)
/// leaves actions for the UI thread, which drains it between key presses.
/// ncurses itself is touched only by the UI thread.
public final class Mailbox: Sendable {
    private let pending = Mutex<[Action]>([])

    public init() {}

    public func post(_ action: Action) {
        pending.withLock { $0.append(action) }
    }

    public func drain() -> [Action] {
        pending.withLock { actions in
            defer { actions.removeAll(keepingCapacity: true) }
            return actions
        }
    }
}
