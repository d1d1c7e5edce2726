import Synchronization

/// Refusal reasons from the relay's `refused` control lines, by bind host.
/// The control handler records them on the event loop as the line arrives,
/// which is before the `tcpip-forward` failure it explains (the relay sends
/// them in that order on one connection), so the tunnel always finds the
/// reason when it handles the failure.
final class RefusalBook: Sendable {
    private let reasons = Mutex<[String: String]>([:])

    func record(_ reason: String, for bindHost: String) {
        reasons.withLock { $0[bindHost] = reason }
    }

    func take(_ bindHost: String) -> String? {
        reasons.withLock { $0.removeValue(forKey: bindHost) }
    }
}
