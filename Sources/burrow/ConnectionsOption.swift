import ArgumentParser
import BurrowCore
import Foundation

/// `--connections N` of `burrow up` and `burrow` (issue 15), declared and
/// checked in one place; `burrow up` also takes `BURROW_CONNECTIONS` when the
/// flag is absent (for a process started by a script, e.g. `scripts/bench --burrow-env`).
struct ConnectionsOption: ParsableArguments {
    @Option(help: ArgumentHelp("SSH connections to each relay (\(ConnectionCount.range.lowerBound)-\(ConnectionCount.range.upperBound); default: the profile's `connections`, else one per core, at most \(ConnectionCount.defaultMaximum)). Visitors are spread over them.", valueName: "N"))
    var connections: Int?

    /// The flag's value, else (with `environment`) `BURROW_CONNECTIONS`'s;
    /// nil: the profile's `connections`, else the default.
    func value(environment: [String: String] = [:]) throws -> Int? {
        var value = connections
        if value == nil, let text = environment["BURROW_CONNECTIONS"] {
            guard let number = Int(text) else {
                throw ValidationError("BURROW_CONNECTIONS=\(text): use a number from \(ConnectionCount.range.lowerBound) to \(ConnectionCount.range.upperBound), or unset it")
            }
            value = number
        }
        if let value, !ConnectionCount.range.contains(value) {
            throw ValidationError("--connections \(value): use \(ConnectionCount.range.lowerBound) to \(ConnectionCount.range.upperBound)")
        }
        return value
    }
}
