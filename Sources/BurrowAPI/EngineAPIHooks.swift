/// What the API server asks of the process that runs the engine, beyond the
/// `TunnelEngine` itself: who it is, and the two lifecycle requests.
public struct EngineAPIHooks: Sendable {
    /// `GET /engine` (read at each request: the owner changes on `keep`).
    public var info: @Sendable () -> EngineInfo
    /// `POST /engine/stop`: stop gracefully, as on SIGTERM (called once per request; must not block).
    public var stop: @Sendable () -> Void
    /// `POST /engine/keep`: outlive the owning process.
    public var keep: @Sendable () -> Void

    public init(info: @escaping @Sendable () -> EngineInfo, stop: @escaping @Sendable () -> Void,
                keep: @escaping @Sendable () -> Void) {
        self.info = info
        self.stop = stop
        self.keep = keep
    }
}
