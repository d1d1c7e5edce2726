import BurrowCertificates
import BurrowConfig

/// How a relay runs: where it keeps its state, which domain names its HTTP
/// mappings, where it listens, which TCP ports it hands out, who may connect.
public struct RelayConfiguration: Sendable {
    /// Holds `host_key`, `authorized_keys` and `reservations.json`; made (0700) when missing.
    public var stateDirectory: String
    /// HTTP mappings are reached at `http://NAME.DOMAIN[:httpPort]`.
    public var domain = "localhost"
    /// The address the SSH, HTTP and TCP listeners bind to.
    public var bindHost = "0.0.0.0"
    /// 0 = the OS picks (see `RelayEndpoints.sshPort`).
    public var sshPort = 2222
    /// 0 = the OS picks (see `RelayEndpoints.httpPort`).
    public var httpPort = 8080
    /// The TLS router's port (SNI, passthrough): nil = no TLS mappings, 0 = the OS picks.
    public var tlsPort: Int?
    /// The metrics port (`/metrics`, `/healthz`): nil = off, 0 = the OS picks.
    public var metricsPort: Int?
    /// Where the metrics port listens; loopback unless said otherwise.
    public var metricsHost = "127.0.0.1"
    /// A UDP flow with no datagram either way for this long is closed.
    public var udpFlowIdleTimeout: Duration = .seconds(60)
    /// TCP mappings get relay ports from this range only.
    public var portRange: ClosedRange<Int> = 20000...20999
    /// Let any public key in (a public trial relay); otherwise only keys in `authorized_keys`.
    public var allowAnyKey = false
    /// Certificates for HTTP mappings' https URLs: when set (and the relay
    /// has a TLS port), a visitor whose SNI names an HTTP mapping is
    /// terminated here and routed like an HTTP visitor; nil = passthrough only.
    public var certificates: CertificateManager?
    /// With `certificates`, an HTTP mapping's URL is the https one and the
    /// plain one comes beside it (`alsoURL`); false swaps them (the embedded
    /// relay, until its local CA is trusted on this machine).
    public var httpsFirst = true
    /// ACME challenge answers the HTTP port serves (HTTP-01).
    public var challengeBoard: ACMEChallengeBoard?
    /// Per key, mapping, visitor and SSH connection. `Relay.start()` replaces
    /// them with `STATE_DIR/relay.json`'s when that file exists.
    public var limits = RelayLimits()
    /// Receives one human line per relay event (connections, forwards, refusals).
    /// nil keeps the relay silent, as an embedded relay inside the TUI must be.
    public var log: (@Sendable (String) -> Void)?
    /// A fleet sharing reservations and members (`burrow serve --cluster`):
    /// nil keeps them in `STATE_DIR/reservations.json`, this relay alone.
    package var fleet: (any RelayFleet)?

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }
}

/// What a started relay is listening on, and how clients recognise it.
public struct RelayEndpoints: Sendable {
    public var sshPort: Int
    public var httpPort: Int
    /// The TLS router's port, when it has one.
    public var tlsPort: Int?
    /// The metrics port, when it has one.
    public var metricsPort: Int?
    /// The host key as an OpenSSH public key line: `ssh-ed25519 AAAA…`.
    public var hostKeyLine: String
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    public var fingerprint: String

    public init(sshPort: Int, httpPort: Int, hostKeyLine: String, fingerprint: String) {
        self.sshPort = sshPort
        self.httpPort = httpPort
        self.hostKeyLine = hostKeyLine
        self.fingerprint = fingerprint
    }
}
