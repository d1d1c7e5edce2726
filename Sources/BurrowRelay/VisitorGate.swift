import BurrowConfig
import Synchronization

/// Counts open visitors per key and per mapping (forward) across every event
/// loop, and refuses a visitor that would go over `maxVisitorsPerKey` or
/// `maxVisitorsPerMapping`. One short lock per visitor that connects or leaves.
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
    private struct Counts {
        var perKey: [String: Int] = [:]
        var perForward: [UInt64: Int] = [:]
    }
    private let counts = Mutex(Counts())

    init(limits: RelayLimits) {
        maxPerKey = limits.maxVisitorsPerKey
        maxPerMapping = limits.maxVisitorsPerMapping
    }

    /// Counts the visitor in, or says which limit it would break. Every
    /// admitted visitor must be `release`d exactly once.
    func admit(key: String, forwardID: UInt64) -> Refusal? {
        counts.withLock { counts in
            let keyCount = counts.perKey[key, default: 0]
            if keyCount >= maxPerKey { return .perKey(maxPerKey) }
            let forwardCount = counts.perForward[forwardID, default: 0]
            if forwardCount >= maxPerMapping { return .perMapping(maxPerMapping) }
            counts.perKey[key] = keyCount + 1
            counts.perForward[forwardID] = forwardCount + 1
            return nil
        }
    }

    func release(key: String, forwardID: UInt64) {
        counts.withLock { counts in
            // Empty entries go, so the tables stay as small as what is open.
            if let count = counts.perKey[key] { counts.perKey[key] = count > 1 ? count - 1 : nil }
            if let count = counts.perForward[forwardID] { counts.perForward[forwardID] = count > 1 ? count - 1 : nil }
        }
    }

    func openVisitors(key: String) -> Int {
        counts.withLock { $0.perKey[key, default: 0] }
    }
}
