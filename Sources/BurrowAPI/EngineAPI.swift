/// The engine's local API (issue 14): HTTP/1.1 + JSON on `CONFIG_DIR/engine.sock`.
public enum EngineAPI {
    /// The socket's file name in the config directory.
    public static let socketName = "engine.sock"
    /// Every path starts with this.
    public static let pathPrefix = "/api/v1"
}
