/// `GET /api/v1/engine`: which engine answers, and who runs it.
public struct EngineInfo: Codable, Sendable, Equatable {
    public var pid: Int32
    /// `BurrowVersion.current` of the engine's binary.
    public var version: String
    public var configDirectory: String
    /// Wall-clock seconds since 1970.
    public var startedAt: Double
    public var owner: EngineOwner
    /// The relay the engine started on 127.0.0.1, if it did.
    public var embeddedRelay: EmbeddedRelayInfo?

    public init(pid: Int32, version: String, configDirectory: String, startedAt: Double, owner: EngineOwner,
                embeddedRelay: EmbeddedRelayInfo? = nil) {
        self.pid = pid
        self.version = version
        self.configDirectory = configDirectory
        self.startedAt = startedAt
        self.owner = owner
        self.embeddedRelay = embeddedRelay
    }
}

/// Who the engine lives for: a plain `burrow up` (runs until stopped), or a
/// TUI that started it and whose exit stops it unless it was kept.
public enum EngineOwner: String, Codable, Sendable {
    case up = "burrow up"
    case tui
}

public struct EmbeddedRelayInfo: Codable, Sendable, Equatable {
    public var host: String
    public var httpPort: Int
    public var sshPort: Int

    public init(host: String, httpPort: Int, sshPort: Int) {
        self.host = host
        self.httpPort = httpPort
        self.sshPort = sshPort
    }
}
