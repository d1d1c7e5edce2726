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

    public static func socketPath(configDirectory: String) -> String { configDirectory + "/" + socketName }
    public static func lockPath(configDirectory: String) -> String { configDirectory + "/" + lockName }
    public static func logPath(configDirectory: String) -> String { configDirectory + "/" + logName }
}
