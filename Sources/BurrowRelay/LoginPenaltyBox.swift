import NIOCore
import Synchronization

/// Slows down guessing at the SSH port, like OpenSSH's `PerSourcePenalties`:
/// an SSH connection from an address that offered keys and ended without
/// logging in is a strike against the address (IPv6: its /64). After
/// `freeStrikes`, each further strike shuts the address out for a penalty
/// that doubles, from `base` up to `maximum`; while shut out, its new SSH
/// connections are closed before the SSH banner. A login with a listed key
/// clears the address. The table is bounded: when full, addresses whose
/// penalty is over go first, then the least recently struck.
final class LoginPenaltyBox: Sendable {
    struct Entry {
        var strikes: Int
        var lastStrike: NIODeadline
        var blockedUntil: NIODeadline
    }

    let base: TimeAmount
    let maximum: TimeAmount
    let freeStrikes: Int
    let capacity: Int
    private let table = Mutex<[String: Entry]>([:])

    init(base: TimeAmount, maximum: TimeAmount, freeStrikes: Int = 3, capacity: Int = 65_536) {
        self.base = base
        self.maximum = max(base, maximum)
        self.freeStrikes = freeStrikes
        self.capacity = capacity
    }

    /// The table key for an address: IPv4 as is, IPv6 by its /64 (one host
    /// owns a whole /64 and could otherwise step around its penalty).
    static func source(_ address: String) -> String {
        guard address.contains(":") else { return address }
        guard let gap = address.firstRange(of: "::") else {
            return address.split(separator: ":").prefix(4).joined(separator: ":") + "::/64"
        }
        // Expand "::" so the first four groups are the real /64.
        let head = address[..<gap.lowerBound].split(separator: ":").map(String.init)
        let tail = address[gap.upperBound...].split(separator: ":").map(String.init)
        let zeros = Array(repeating: "0", count: max(0, 8 - head.count - tail.count))
        return (head + zeros + tail).prefix(4).joined(separator: ":") + "::/64"
    }

    /// How long `address` is still shut out (nil: it may try).
    func penalty(for address: String, now: NIODeadline = .now()) -> TimeAmount? {
        let key = Self.source(address)
        return table.withLock { table in
            guard let entry = table[key], entry.blockedUntil > now else { return nil }
            return entry.blockedUntil - now
        }
    }

    /// A connection from `address` offered keys and never logged in. Returns
    /// the penalty it now serves (nil while its strikes are still free).
    @discardableResult
    func strike(_ address: String, now: NIODeadline = .now()) -> TimeAmount? {
        let key = Self.source(address)
        return table.withLock { table in
            // Strikes are forgotten once an address was quiet for `maximum`
            // after its penalty ended.
            var entry = table[key].flatMap { $0.blockedUntil + maximum > now ? $0 : nil }
                ?? Entry(strikes: 0, lastStrike: now, blockedUntil: now)
            entry.strikes += 1
            entry.lastStrike = now
            var penalty: TimeAmount?
            if entry.strikes > freeStrikes {
                let doublings = min(entry.strikes - freeStrikes - 1, 30)
                let grown = base.nanoseconds.multipliedReportingOverflow(by: Int64(1) << doublings)
                let amount = grown.overflow ? maximum : min(.nanoseconds(grown.partialValue), maximum)
                entry.blockedUntil = now + amount
                penalty = amount
            }
            if table[key] == nil, table.count >= capacity { Self.makeRoom(&table, now: now) }
            table[key] = entry
            return penalty
        }
    }

    /// A listed key logged in from `address`: its strikes are forgiven.
    func forgive(_ address: String) {
        let key = Self.source(address)
        _ = table.withLock { $0.removeValue(forKey: key) }
    }

    var count: Int { table.withLock { $0.count } }

    private static func makeRoom(_ table: inout [String: Entry], now: NIODeadline) {
        let before = table.count
        table = table.filter { $0.value.blockedUntil > now }
        if table.count < before { return }
        if let oldest = table.min(by: { $0.value.lastStrike < $1.value.lastStrike })?.key {
            table.removeValue(forKey: oldest)
        }
    }
}
