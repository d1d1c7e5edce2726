import BurrowCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Polls `mappings.json` and turns edits into precise `MappingChange`s.
/// Cheap when nothing changed: one `stat` per poll; the file is re-read only
/// when its inode, size or mtime moved (our writes rename a new inode in).
public struct MappingWatcher: Sendable {
    struct Stamp: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var seconds: Int
        var nanoseconds: Int
    }

    public let path: String
    /// The mappings in force: the last version of the file that was valid.
    public private(set) var current: [Mapping]
    private var stamp: Stamp??  // nil = never looked; .some(nil) = file missing
    /// The error reported last (cleared by `.recovered`).
    private var lastError: ConfigError?
    /// A parse failure seen once, reported if the file stays the same.
    private var pendingError: ConfigError?

    /// `initial` is what the caller already applied; the first `poll()`
    /// reports how the file differs from it.
    public init(path: String, initial: [Mapping]) {
        self.path = path
        self.current = initial
    }

    /// Looks at the file once; returns what to report (usually nothing).
    ///
    /// A file that fails to parse is reported only when it fails again one
    /// poll later, unchanged: an editor writing in place (truncate, then
    /// write) is caught half-way now and then, and that is not an error.
    public mutating func poll() -> [MappingWatchEvent] {
        let now = MappingWatcher.stamp(of: path)
        if let stamp, stamp == now {
            guard let pending = pendingError else { return [] }
            pendingError = nil
            guard pending != lastError else { return [] }
            lastError = pending
            return [.invalid(pending)]
        }
        stamp = .some(now)
        let file: MappingsFile
        do throws(ConfigError) {
            if let bytes = try AtomicFile.read(path) {
                file = try MappingsFile.decode(bytes, file: path)
            } else {
                file = MappingsFile()  // a deleted file means no mappings, as at startup
            }
        } catch {
            pendingError = error
            return []
        }
        pendingError = nil
        var events: [MappingWatchEvent] = []
        if lastError != nil {
            lastError = nil
            events.append(.recovered)
        }
        let changes = MappingChange.diff(from: current, to: file.mappings)
        current = file.mappings
        if !changes.isEmpty { events.append(.changes(changes)) }
        return events
    }

    private static func modified(_ info: stat) -> timespec {
        #if canImport(Darwin)
        info.st_mtimespec
        #else
        info.st_mtim
        #endif
    }

    static func stamp(of path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            seconds: Int(modified(info).tv_sec), nanoseconds: Int(modified(info).tv_nsec))
    }
}
