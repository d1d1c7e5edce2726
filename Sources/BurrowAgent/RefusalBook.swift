import Synchronization

/// Refusal reasons from the relay's `refused` control lines, by bind host.
/// The control handler records them on the event loop as each line arrives;
/// the relay sends a reason just before failing the `tcpip-forward`, so the
/// tunnel finds it when it handles the failure (waiting briefly, because
/// NIOSSH may deliver the failure before the batched channel data).
final class RefusalBook: Sendable {
    private let reasons = Mutex<[String: String]>([:])

    func record(_ reason: String, for bindHost: String) {
        reasons.withLock { $0[bindHost] = reason }
    }

    func take(_ bindHost: String) -> String? {
        reasons.withLock { $0.removeValue(forKey: bindHost) }
    }
}
