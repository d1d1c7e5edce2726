/// Exponential backoff with jitter for reconnects: 0.5 s, 1 s, 2 s… capped
/// at 30 s, each spread by ±25 % so that many agents cut off by one relay
/// restart do not all knock at the same instant.
struct Backoff: Sendable {
    var base: Double = 0.5
    var cap: Double = 30
    var jitter: Double = 0.25

    /// The wait before attempt number `attempt` (0 = the first retry);
    /// `random` is uniform in 0...1.
    func delay(attempt: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let exponential = base * Double(1 << min(max(attempt, 0), 20))
        let capped = min(cap, exponential)
        let spread = capped * (1 - jitter + 2 * jitter * random)
        return min(cap, max(0.05, spread))
    }
}
