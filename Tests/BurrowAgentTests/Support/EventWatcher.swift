import BurrowCore
import BurrowTestSupport

/// Collects engine events in the background so tests can wait for one (bounded).
final class EventWatcher: Sendable {
    private let seen = Locked<[EngineEvent]>([])
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<EngineEvent>) {
        let seen = self.seen
        task = Task {
            for await event in stream { seen.withLock { $0.append(event) } }
        }
    }

    var events: [EngineEvent] { seen.withLock { $0 } }

    /// Waits for an event matching `match` that arrived after index `after`.
    @discardableResult
    func waitFor(after: Int = 0, timeout: Duration = .seconds(60), _ what: String,
                 _ match: (EngineEvent) -> Bool) async throws -> EngineEvent {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let events = self.events
            if events.count > after, let found = events[after...].first(where: match) { return found }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("no \(what) event within \(timeout); events:\n" + events.map(\.humanLine).joined(separator: "\n"))
    }

    func online(_ mapping: String, after: Int = 0, timeout: Duration = .seconds(60)) async throws -> PublicURL {
        let event = try await waitFor(after: after, timeout: timeout, "online \(mapping)") {
            if case .online(mapping, _, _, _) = $0 { return true }
            return false
        }
        guard case .online(_, let url, _, _) = event else { throw TestFailure("unreachable") }
        return url
    }

    /// Who an `.error` event is about.
    enum Source {
        case anyone, anyMapping, tunnel
        case mapping(String)

        func matches(_ mapping: String?) -> Bool {
            switch self {
            case .anyone: true
            case .anyMapping: mapping != nil
            case .tunnel: mapping == nil
            case .mapping(let name): mapping == name
            }
        }
    }

    /// Waits for an `.error` event about `source` whose message contains
    /// `needle`; returns its mapping, message and human line.
    @discardableResult
    func error(_ source: Source, containing needle: String = "", after: Int = 0,
               timeout: Duration = .seconds(60)) async throws -> (mapping: String?, message: String, line: String) {
        let event = try await waitFor(after: after, timeout: timeout, "error (\(source)) containing '\(needle)'") {
            if case .error(let mapping, let message) = $0 { return source.matches(mapping) && (needle.isEmpty || message.contains(needle)) }
            return false
        }
        guard case .error(let mapping, let message) = event else { throw TestFailure("unreachable") }
        return (mapping, message, event.humanLine)
    }

    func cancel() {
        task.cancel()
    }
}
