#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BurrowConfig
import Foundation
import Synchronization

/// `CONFIG_DIR/engine.lock`: one engine per config directory. The running
/// engine holds an exclusive `flock` on it (released by the kernel however
/// the process ends, `kill -9` included) with its pid written inside, so a
/// second engine refuses naming the holder, and a socket left by a crashed
/// engine is known to be stale (the lock is free) and replaced.
public final class EngineLock: Sendable {
    public let path: String
    /// The open descriptor holding the lock; -1 once released.
    private let descriptor: Mutex<Int32>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    deinit { release() }

    /// Takes the lock and writes this process's pid in it, or refuses with
    /// `EngineAPIError.alreadyRunning` naming the holder's pid.
    public static func acquire(configDirectory: String) throws(EngineAPIError) -> EngineLock {
        do { try AtomicFile.makeDirectory(configDirectory) } catch { throw .system(error.description) }
        let path = EngineAPI.lockPath(configDirectory: configDirectory)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system("\(path): cannot open: \(String(cString: strerror(errno)))") }
        // A few tries: `holder()` takes the lock shared for an instant.
        var tries = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            tries += 1
            if code == EINTR { continue }
            guard code == EWOULDBLOCK, tries < 5 else {
                let pid = readPID(fd)
                close(fd)
                if code == EWOULDBLOCK { throw .alreadyRunning(pid: pid ?? 0, configDirectory: configDirectory) }
                throw .system("\(path): cannot lock: \(String(cString: strerror(code)))")
            }
            usleep(20_000)
        }
        let text = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.count, 0) == text.count else {
            let code = errno
            close(fd)
            throw .system("\(path): cannot write the pid: \(String(cString: strerror(code)))")
        }
        return EngineLock(path: path, descriptor: fd)
    }

    /// The pid of the engine holding the lock of `configDirectory`, or nil when none does.
    public static func holder(configDirectory: String) -> Int32? {
        let fd = open(EngineAPI.lockPath(configDirectory: configDirectory), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return readPID(fd) ?? 0
    }

    /// Lets the lock go (idempotent; also on deinit and at process exit).
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            close(fd)
            fd = -1
        }
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
