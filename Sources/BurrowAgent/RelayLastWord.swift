import Synchronization

/// The relay's latest `notice` on a connection and when it came, recorded by
/// the control handler on the event loop as the line arrives, so it is there
/// before the close it explains. A relay that closes a connection says why
/// first (a shutdown, `sshMaxConnectionsPerKey`); the tunnel's reconnecting
/// line then carries it instead of a bare "the relay closed the connection".
final class RelayLastWord: Sendable {
    /// How long a notice explains a close: the relay closes a connection past
    /// a limit within 3 s of saying so, and drains for `drainTimeoutSeconds`
    /// (10 s by default) after saying it shuts down.
    static let window: Duration = .seconds(15)

    private let last = Mutex<(text: String, at: ContinuousClock.Instant)?>(nil)

    func record(_ text: String, at now: ContinuousClock.Instant = .now) {
        last.withLock { $0 = (text, now) }
    }

    /// `reason`, with the relay's notice when the connection closed within
    /// `window` of it: "the relay closed the connection (it said: …)".
    /// Other failures (a changed host key, a time-out) are kept as they are.
    func explain(_ reason: TunnelError, now: ContinuousClock.Instant = .now) -> TunnelError {
        guard case .connectionClosed(let text) = reason,
              let (said, at) = last.withLock({ $0 }), now - at <= Self.window else { return reason }
        return .connectionClosed("\(text) (it said: \(said))")
    }
}
