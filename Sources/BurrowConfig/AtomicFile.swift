#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes: a reader sees the old file or the
/// new one, never half of either.
public enum AtomicFile {
    /// Writes `bytes` to a temp file in the same directory (so `rename` stays
    /// on one file system), fsyncs it, renames it over `path`, then fsyncs the
    /// directory so the rename itself survives a crash.
    public static func write(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o644) throws(ConfigError) {
        let directory = parentDirectory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let temp = "\(directory)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw .io(path: temp, operation: "create", errno: errno) }
        var failure: ConfigError?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .io(path: temp, operation: "write", errno: errno)
                    return
                }
                offset += written
            }
        }
        // open() applies the umask; the caller asked for this exact mode (0600 keys).
        if failure == nil, fchmod(fd, mode_t(mode)) != 0 { failure = .io(path: temp, operation: "chmod", errno: errno) }
        if failure == nil, fsync(fd) != 0 { failure = .io(path: temp, operation: "fsync", errno: errno) }
        close(fd)
        if let failure {
            unlink(temp)
            throw failure
        }
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw .io(path: path, operation: "replace", errno: code)
        }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// The whole file, or nil when it does not exist.
    public static func read(_ path: String) throws(ConfigError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .io(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", errno: errno)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    /// Creates `path` and its missing parents (like `mkdir -p`).
    public static func makeDirectory(_ path: String, mode: UInt32 = 0o700) throws(ConfigError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode_t(mode)) != 0, errno != EEXIST {
                throw .io(path: current, operation: "create directory", errno: errno)
            }
        }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

// File-scope wrappers: inside `AtomicFile`, `write`/`read` name its own methods.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
