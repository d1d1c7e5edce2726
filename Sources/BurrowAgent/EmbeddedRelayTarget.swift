/// Where the embedded relay (started in-process when no profile is
/// configured) listens, and its host key, which the engine accepts exactly
/// (no trust-on-first-use needed: it is known in-process).
public struct EmbeddedRelayTarget: Sendable, Equatable {
    public var host: String
    public var sshPort: Int
    public var httpPort: Int
    /// `ssh-ed25519 AAAA…` as `RelayEndpoints.hostKeyLine` gives it.
    public var hostKeyLine: String

    public init(host: String, sshPort: Int, httpPort: Int, hostKeyLine: String) {
        self.host = host
        self.sshPort = sshPort
        self.httpPort = httpPort
        self.hostKeyLine = hostKeyLine
    }
}
