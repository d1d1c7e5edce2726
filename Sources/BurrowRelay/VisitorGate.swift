import BurrowConfig
import Synchronization

/// Counts open visitors per key and per mapping (forward) across every event
/// loop, and refuses a visitor that would go over `maxVisitorsPerKey` or
/// `maxVisitorsPerMapping`. One short lock per visitor that connects or leaves.
///
/// Kept-alive HTTP visitors that sit between requests (every response
/// complete, no new request) are marked idle. A visitor that would be
/// refused takes the slot of the one of them idle longest instead, which is
/// closed: silent kept-alive connections cannot hold a mapping's slots
/// against new visitors (nginx reuses idle keep-alive connections the same
/// way when it runs out).
final class VisitorGate: Sendable {
    /// Which limit refused a visitor.
    enum Refusal: Sendable {
        case perKey(Int)
        case perMapping(Int)

        var limit: String {
            switch self {
            case .perKey: return "maxVisitorsPerKey"
            case .perMapping: return "maxVisitorsPerMapping"
            }
        }

        var description: String {
            switch self {
            case .perKey(let maximum): return "this key's mappings already have \(maximum) visitors connected (maxVisitorsPerKey)"
            case .perMapping(let maximum): return "this mapping already has \(maximum) visitors connected (maxVisitorsPerMapping)"
            }
        }
    }

    private let maxPerKey: Int
    private let maxPerMapping: Int
    private let maxFlowsPerKey: Int
    private struct Idle {
        var key: String
        var forwardID: UInt64
        var since: ContinuousClock.Instant
        var close: @Sendable () -> Void
    }
    private struct Counts {
        var perKey: [String: Int] = [:]
        var perForward: [UInt64: Int] = [:]
        /// Idle kept-alive visitors, by visitor id.
        var idle: [UInt64: Idle] = [:]
        /// Visitors whose slot went to a newcomer: their release counts nothing.
        var reaped: Set<UInt64> = []
        /// Open UDP flows per key (`udpMaxFlowsPerKey`).
        var flowsPerKey: [String: Int] = [:]

        /// Removes and returns the visitor idle longest among those `matching`.
        mutating func takeOldestIdle(_ matching: (Idle) -> Bool) -> (UInt64, Idle)? {
            var oldest: (UInt64, Idle)?
            for (id, entry) in idle where matching(entry) {
                if oldest == nil || entry.since < oldest!.1.since { oldest = (id, entry) }
            }
            guard let oldest else { return nil }
            idle[oldest.0] = nil
            reaped.insert(oldest.0)
            return oldest
        }
    }
    private let counts = Mutex(Counts())

    init(limits: RelayLimits) {
        maxPerKey = limits.maxVisitorsPerKey
        maxPerMapping = limits.maxVisitorsPerMapping
        maxFlowsPerKey = limits.udpMaxFlowsPerKey
    }

    /// Counts a new UDP flow of `key` in; false at `udpMaxFlowsPerKey`.
    /// Every admitted flow must be `releaseFlow`ed exactly once.
    func admitFlow(key: String) -> Bool {
        counts.withLock { counts in
            let count = counts.flowsPerKey[key, default: 0]
            guard count < maxFlowsPerKey else { return false }
            counts.flowsPerKey[key] = count + 1
            return true
        }
    }

    func releaseFlow(key: String) {
        counts.withLock { Self.decrement(&$0.flowsPerKey, key) }
    }

    /// Counts the visitor in, or says which limit it would break. Every
    /// admitted visitor must be `release`d exactly once. At a limit, the
    /// visitor idle longest of the key or mapping gives up its slot first.
    func admit(key: String, forwardID: UInt64) -> Refusal? {
        var victim: Idle?
        let refusal: Refusal? = counts.withLock { counts in
            let keyCount = counts.perKey[key, default: 0]
            let forwardCount = counts.perForward[forwardID, default: 0]
            if keyCount >= maxPerKey {
                // A slot of the key, from this mapping or (when this one has room) another.
                let roomHere = forwardCount < maxPerMapping
                guard let (_, entry) = counts.takeOldestIdle({ $0.key == key && (roomHere || $0.forwardID == forwardID) })
                else { return .perKey(maxPerKey) }
                victim = entry
                if entry.forwardID != forwardID {
                    Self.decrement(&counts.perForward, entry.forwardID)
                    counts.perForward[forwardID] = forwardCount + 1
                }
                return nil
            }
            if forwardCount >= maxPerMapping {
                guard let (_, entry) = counts.takeOldestIdle({ $0.forwardID == forwardID }) else { return .perMapping(maxPerMapping) }
                victim = entry
                return nil
            }
            counts.perKey[key] = keyCount + 1
            counts.perForward[forwardID] = forwardCount + 1
            return nil
        }
        victim?.close()
        return refusal
    }

    /// `visitor` is an id of the caller's choosing, the same it gave `idle`.
    func release(key: String, forwardID: UInt64, visitor: UInt64? = nil) {
        counts.withLock { counts in
            if let visitor {
                counts.idle[visitor] = nil
                if counts.reaped.remove(visitor) != nil { return }
            }
            // Empty entries go, so the tables stay as small as what is open.
            Self.decrement(&counts.perKey, key)
            Self.decrement(&counts.perForward, forwardID)
        }
    }

    /// An admitted visitor sits between requests; `close` ends it (any thread).
    func idle(visitor: UInt64, key: String, forwardID: UInt64, close: @escaping @Sendable () -> Void) {
        let now = ContinuousClock.now
        counts.withLock { counts in
            guard !counts.reaped.contains(visitor) else { return }
            counts.idle[visitor] = Idle(key: key, forwardID: forwardID, since: now, close: close)
        }
    }

    /// The visitor is busy again (a new request).
    func busy(visitor: UInt64) {
        counts.withLock { counts in _ = counts.idle.removeValue(forKey: visitor) }
    }

    func openVisitors(key: String) -> Int {
        counts.withLock { $0.perKey[key, default: 0] }
    }

    private static func decrement<Key: Hashable>(_ table: inout [Key: Int], _ key: Key) {
        if let count = table[key] { table[key] = count > 1 ? count - 1 : nil }
    }
}
