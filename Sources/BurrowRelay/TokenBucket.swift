import BurrowCore
import Synchronization

/// Bytes per second shared by every visitor of one mapping, on any event
/// loop (`bandwidthBytesPerSecond`). Reads take bytes out after the fact;
/// a visitor in debt waits until the bucket is positive again.
final class TokenBucket: Sendable {
    let rate: Double
    private struct State {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private let state: Mutex<State>

    init(bytesPerSecond: Int) {
        rate = Double(bytesPerSecond)
        // A burst of a quarter second keeps small requests instant.
        state = Mutex(State(tokens: Double(bytesPerSecond) / 4, updated: .now))
    }

    /// Takes `bytes`; returns how long the taker should wait before reading
    /// more (zero when the bucket is not in debt).
    func take(_ bytes: Int) -> Duration {
        let now = ContinuousClock.now
        return state.withLock { state in
            let elapsed = now - state.updated
            state.tokens = min(rate / 4, state.tokens + elapsed.inSeconds * rate) - Double(bytes)
            state.updated = now
            guard state.tokens < 0 else { return .zero }
            return .nanoseconds(Int64(-state.tokens / rate * 1e9))
        }
    }
}
