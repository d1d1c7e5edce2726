#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Whether a process is still there (for `--owner-pid`).
enum ProcessProbe {
    /// True while `pid` exists and is not a zombie (an exited child its
    /// parent has not reaped yet has already gone, for our purposes).
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        #if os(Linux)
        // /proc/PID/stat: "PID (COMM) STATE …"; COMM may hold spaces and parentheses.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let rest = stat[stat.index(after: close)...].drop { $0 == " " }
            if rest.first == "Z" || rest.first == "X" { return false }
        }
        #endif
        return true
    }
}
