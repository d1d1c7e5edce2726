import Synchronization

/// Refusal reasons from the relay's `refused` control lines, by bind host.
/// The control handler records them on the event loop as each line arrives;
/// the relay sends a reason just before failing the `tcpip-forward`, but
/// NIOSSH may deliver the failure before the batched channel data, so the
/// tunnel waits for the reason (woken by `record`, not by polling).
final class RefusalBook: Sendable {
    private struct Book {
        var reasons: [String: String] = [:]
        var waiters: [String: [Int: CheckedContinuation<String?, Never>]] = [:]
        var nextWaiter = 0
    }

    private let book = Mutex(Book())

    func record(_ reason: String, for bindHost: String) {
        let waiter = book.withLock { book -> CheckedContinuation<String?, Never>? in
            if let first = book.waiters[bindHost]?.min(by: { $0.key < $1.key }) {
                book.waiters[bindHost]?[first.key] = nil
                return first.value
            }
            book.reasons[bindHost] = reason
            return nil
        }
        waiter?.resume(returning: reason)
    }

    func take(_ bindHost: String) -> String? {
        book.withLock { $0.reasons.removeValue(forKey: bindHost) }
    }

    /// The reason for `bindHost`, recorded already or arriving within `timeout`; nil if none comes.
    func reason(for bindHost: String, within timeout: Duration) async -> String? {
        let id = book.withLock { book -> Int in
            book.nextWaiter += 1
            return book.nextWaiter
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            let waiter = self.book.withLock { $0.waiters[bindHost]?.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let ready = book.withLock { book -> String?? in
                if let reason = book.reasons.removeValue(forKey: bindHost) { return .some(reason) }
                book.waiters[bindHost, default: [:]][id] = continuation
                return .none
            }
            if case .some(let reason) = ready { continuation.resume(returning: reason) }
        }
    }
}
