import BurrowCore
import Synchronization

/// New connections per second per visitor IP on the public ports: a token
/// bucket per address (burst = the rate), refilled continuously. The table
/// is bounded: when it is full, addresses whose bucket refilled are dropped
/// (they hold no state worth keeping), so a spray of source addresses
/// cannot grow it without bound.
final class ConnectionRateLimiter: Sendable {
    private let rate: Double
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private let buckets = Mutex<[String: Bucket]>([:])
    static let maximumAddresses = 50_000

    init(perSecond: Int) {
        rate = Double(perSecond)
    }

    /// Takes a token for `address`; false when its bucket is empty.
    func allow(_ address: String) -> Bool {
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            var bucket = buckets[address] ?? Bucket(tokens: rate, updated: now)
            bucket.tokens = min(rate, bucket.tokens + (now - bucket.updated).inSeconds * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[address] = bucket
                return false
            }
            bucket.tokens -= 1
            if buckets[address] == nil, buckets.count >= Self.maximumAddresses {
                let full = 1 / rate
                buckets = buckets.filter { (now - $0.value.updated).inSeconds < full * (rate - $0.value.tokens) }
            }
            buckets[address] = bucket
            return true
        }
    }
}
