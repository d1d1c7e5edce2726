/// What a relay allows each key, mapping, visitor and SSH connection: the
/// `limits` object of `STATE_DIR/relay.json`. Every field has a safe default,
/// so a relay without the file (or with `{"version": 1}`) is protected too.
/// Durations are seconds (fractions allowed, so tests can use short ones).
public struct RelayLimits: Sendable, Equatable {
    /// Forwards (HTTP names + TCP ports) one key may hold at once, over all its connections.
    public var maxMappingsPerKey = 10
    /// Visitors connected at once to all mappings of one key.
    public var maxVisitorsPerKey = 1000
    /// Visitors connected at once to one mapping.
    public var maxVisitorsPerMapping = 500
    /// A visitor connection with no bytes either way for this long is closed.
    public var visitorIdleTimeoutSeconds = 600.0
    /// Bytes per second one mapping may move (both directions together); nil = no cap.
    public var bandwidthBytesPerSecond: Int?
    /// New connections per second one visitor IP may open on the public ports (token bucket, burst = the rate).
    public var newConnectionsPerSecondPerIP = 50
    /// An HTTP visitor must send its whole request head within this time (else 408).
    public var httpHeadTimeoutSeconds = 10.0
    /// An HTTP request head may be at most this many bytes (else 431).
    public var httpHeadMaxBytes = 16 * 1024
    /// A kept-alive HTTP visitor between requests (every response complete)
    /// is closed after this long. Sooner when its mapping or key is at its
    /// visitor limit: a new visitor then takes the slot of the one idle longest.
    public var httpKeepAliveTimeoutSeconds = 75.0
    /// UDP flows (visitor address:port pairs) one visitor IP may have open on one UDP mapping.
    /// A new one past a UDP limit replaces the flow idle longest.
    public var udpMaxFlowsPerAddress = 64
    /// UDP flows one UDP mapping may have open.
    public var udpMaxFlowsPerMapping = 1024
    /// UDP flows all UDP mappings of one key may have open.
    public var udpMaxFlowsPerKey = 2048
    /// An SSH client must log in within this time.
    public var sshAuthTimeoutSeconds = 10.0
    /// Failed login attempts an SSH connection gets before it is closed.
    public var sshMaxAuthAttempts = 6
    /// An address whose SSH connections offered keys and never logged in is
    /// shut out after 3 such connections, for this long, doubling with each
    /// further one (like OpenSSH's PerSourcePenalties; IPv6 by /64).
    public var sshLoginPenaltySeconds = 5.0
    /// The longest such penalty.
    public var sshLoginPenaltyMaxSeconds = 600.0
    /// SSH connections one address (IPv6: its /64) may have open before they
    /// log in (like OpenSSH's PerSourceMaxStartups); a further one is closed
    /// before the SSH banner.
    public var sshMaxUnauthenticatedPerIP = 32
    /// Logged-in SSH connections one key may have open at once (an agent
    /// keeps one per core, at most 4, per relay; `--connections` up to 16).
    /// A further one is told why on its control channel (an agent shows it)
    /// and in its session, and closed.
    public var sshMaxConnectionsPerKey = 64
    /// Names plus TCP ports one key may hold in `reservations.json` (kept
    /// across connections); beyond it a new name or port is refused with a
    /// message, and the operator frees some with `burrow serve reservations rm`.
    public var maxReservationsPerKey = 20
    /// `session` channels one SSH connection may have open at once.
    public var sshMaxChannelsPerSession = 8
    /// A Burrow agent (it pings every few seconds on burrow-control) that sent
    /// nothing for this long is taken for dead: its connection is closed and
    /// its names and ports are freed (they answer 502 until it is back).
    public var sshKeepaliveTimeoutSeconds = 30.0
    /// How long SIGTERM/SIGINT lets open visitors finish before the relay closes them.
    public var drainTimeoutSeconds = 10.0
    /// A limit that keeps biting is logged (and told to the agent) at most once per this interval.
    public var limitReportIntervalSeconds = 10.0
    /// HTTP names nobody can take (they would look like the relay's own pages).
    public var reservedNames: [String] = RelayLimits.defaultReservedNames

    public static let defaultReservedNames = [
        "admin", "api", "app", "auth", "autoconfig", "autodiscover", "burrow", "cdn", "dashboard", "dns",
        "docs", "ftp", "help", "imap", "localhost", "login", "mail", "mx", "ns", "ns1", "ns2", "pop", "pop3",
        "relay", "root", "smtp", "ssh", "static", "status", "support", "vpn", "webmail", "www",
    ]

    public init() {}
}
