#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine's local API (issue 14): HTTP/1.1 + JSON on `CONFIG_DIR/engine.sock`.
public enum EngineAPI {
    /// The socket's file name in the config directory.
    public static let socketName = "engine.sock"
    /// The lock a running engine holds (its pid written in it).
    public static let lockName = "engine.lock"
    /// Where `burrow up --detach` (and the TUI's own engine) write their output.
    public static let logName = "engine.log"
    /// Every path starts with this.
    public static let pathPrefix = "/api/v1"
    /// Request bodies larger than this are refused with 413.
    public static let maxBodyBytes = 1 << 20

    /// `CONFIG_DIR/engine.sock`; for a config directory whose path is too
    /// long for a Unix socket (107 bytes with the server's staging folder,
    /// `/.engine-PID/engine.sock`), `/tmp/burrow-UID/HASH.sock` instead, the
    /// same for the engine and every client (HASH: FNV-1a of the path).
    public static func socketPath(configDirectory: String) -> String {
        let plain = configDirectory + "/" + socketName
        let staged = configDirectory.utf8.count + "/.engine-4194304/".utf8.count + socketName.utf8.count
        guard staged > maxSocketPathBytes else { return plain }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in configDirectory.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return shortSocketDirectory + "/" + String(repeating: "0", count: 16 - hex.count) + hex + ".sock"
    }

    /// `sun_path` holds 108 bytes with its NUL.
    static let maxSocketPathBytes = 107
    /// This user's folder for sockets of long config paths (0700, checked to be theirs before use).
    static var shortSocketDirectory: String { "/tmp/burrow-\(getuid())" }
    public static func lockPath(configDirectory: String) -> String { configDirectory + "/" + lockName }
    public static func logPath(configDirectory: String) -> String { configDirectory + "/" + logName }
}
