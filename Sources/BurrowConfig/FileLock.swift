#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory `flock` on a lock file, held for the duration of a closure.
/// Every read-modify-write of the config dir runs under it, so parallel
/// `burrow map add` processes serialize instead of losing each other's writes.
/// Each call opens its own descriptor, so threads of one process exclude each
/// other too.
public enum FileLock {
    public static func withLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigError.io(path: path, operation: "open lock file", errno: errno) }
        defer { close(fd) }  // closing the descriptor releases the lock
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw ConfigError.io(path: path, operation: "lock", errno: errno) }
        }
        return try body()
    }
}
