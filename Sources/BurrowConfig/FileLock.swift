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
        let fd = try acquire(path)
        defer { close(fd) }  // closing the descriptor releases the lock
        return try body()
    }

    /// The same, for bodies that throw only `ConfigError` (keeps typed throws).
    static func withLockTyped<T>(_ path: String, _ body: () throws(ConfigError) -> T) throws(ConfigError) -> T {
        let fd = try acquire(path)
        defer { close(fd) }
        return try body()
    }

    private static func acquire(_ path: String) throws(ConfigError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: path, operation: "open lock file", errno: errno) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR {
                let code = errno
                close(fd)
                throw .io(path: path, operation: "lock", errno: code)
            }
        }
        return fd
    }
}
