#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many of a tunnel's SSH connections to its relay are up (issue 15):
/// `{"up":2,"total":2}` on the wire, `2/2 connections` for people.
public struct ConnectionCount: Sendable, Hashable, Codable, CustomStringConvertible {
    public var up: Int
    public var total: Int

    public init(up: Int, total: Int) {
        self.up = up
        self.total = total
    }

    /// `2/2 connections`
    public var description: String { "\(up)/\(total) connection\(total == 1 ? "" : "s")" }

    /// What `--connections` and a profile's `connections` accept.
    public static let range = 1...16
    /// The default never exceeds this many, however many cores.
    public static let defaultMaximum = 4

    /// One connection per core (the relay and the agent each spread their
    /// connections over their event loops), at most `defaultMaximum`.
    public static var `default`: Int {
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return max(1, min(defaultMaximum, cores))
    }
}
