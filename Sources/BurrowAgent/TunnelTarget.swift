import BurrowConfig

/// Everything a tunnel needs to dial its relay.
struct TunnelTarget: Sendable {
    /// The tunnel's name: the profile name, or `EngineSnapshot.embeddedTunnel`.
    var name: String
    var host: String
    var port: Int
    var user: String
    var identity: Identity
    var hostKeyPolicy: HostKeyPolicy
    /// How people see the relay: `host:port` or "embedded relay on 127.0.0.1:PORT".
    var relayDescription: String
    /// The tunnel run's `AgentInstance` (said in `hello`); set by `Tunnel`.
    var instance: String? = nil
    /// Which of the tunnel's connections (its slot), said in `hello` with `instance`.
    var connection: Int? = nil
}
