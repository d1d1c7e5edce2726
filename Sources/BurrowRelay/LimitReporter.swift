import NIOCore
import Synchronization

/// Says that a limit bit — in the relay's log, and to the agent whose mapping
/// it concerns — at most once per interval per (limit, subject), with how many
/// times it bit since the last report. A flood of refused visitors must not
/// become a flood of log lines or control messages.
final class LimitReporter: Sendable {
    private let interval: Duration
    private let log: @Sendable (String) -> Void
    private struct Entry {
        var lastReport: ContinuousClock.Instant
        var suppressed: Int
    }
    private let entries = Mutex<[String: Entry]>([:])
    /// Bounds the table under an attack from many addresses; old entries go first.
    static let maximumEntries = 10_000

    init(interval: Duration, log: @escaping @Sendable (String) -> Void) {
        self.interval = interval
        self.log = log
    }

    /// Returns the line to tell (with the count of earlier, unreported bites), or
    /// nil when this (limit, subject) was reported less than an interval ago.
    @discardableResult
    func report(limit: String, subject: String, _ line: String) -> String? {
        let key = limit + "\u{0}" + subject
        let now = ContinuousClock.now
        let suppressed: Int? = entries.withLock { entries in
            if var entry = entries[key] {
                if now - entry.lastReport < interval {
                    entry.suppressed += 1
                    entries[key] = entry
                    return nil
                }
                let count = entry.suppressed
                entries[key] = Entry(lastReport: now, suppressed: 0)
                return count
            }
            if entries.count >= Self.maximumEntries {
                entries = entries.filter { now - $0.value.lastReport < interval }
            }
            entries[key] = Entry(lastReport: now, suppressed: 0)
            return 0
        }
        guard let suppressed else { return nil }
        let text = suppressed > 0 ? "\(line) (and \(suppressed) more time(s) since the last report)" : line
        log("limit \(limit): \(text)")
        return text
    }
}
