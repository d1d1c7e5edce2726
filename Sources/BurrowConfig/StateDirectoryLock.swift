#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `STATE_DIR/.relay.lock`: a running relay holds it (shared) for as long as
/// it runs; `burrow serve reservations rm` edits the state only while nobody
/// holds it, because a running relay keeps its reservations in memory and
/// would write its own table back over the edit.
public final class StateDirectoryLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        close(fd)  // releases the lock
    }

    static func path(in directory: String) -> String {
        directory + "/.relay.lock"
    }

    /// Marks `directory` as used by a running relay until the lock is dropped.
    public static func holdShared(directory: String) throws(ConfigError) -> StateDirectoryLock {
        let fd = try open(path(in: directory))
        while flock(fd, LOCK_SH) != 0 {
            guard errno == EINTR else {
                let code = errno
                close(fd)
                throw .io(path: path(in: directory), operation: "lock", errno: code)
            }
        }
        return StateDirectoryLock(fd: fd)
    }

    /// Runs `body` with the directory locked against relays; nil (without
    /// running it) when a relay holds it now.
    public static func ifNoRelayRuns<T>(directory: String, _ body: () throws -> T) throws -> T? {
        let fd = try open(path(in: directory))
        defer { close(fd) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EWOULDBLOCK { return nil }
            guard errno == EINTR else { throw ConfigError.io(path: path(in: directory), operation: "lock", errno: errno) }
        }
        return try body()
    }

    private static func open(_ path: String) throws(ConfigError) -> Int32 {
        let fd = systemOpen(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: path, operation: "open lock file", errno: errno) }
        return fd
    }
}

// File scope: inside `StateDirectoryLock`, `open` names its own method.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}
