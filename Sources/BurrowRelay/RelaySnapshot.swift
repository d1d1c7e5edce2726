import BurrowCore

/// What a running relay holds right now, built on demand (the data path only
/// bumps event-loop-local counters).
public struct RelaySnapshot: Sendable {
    public var sessions: [RelaySessionSnapshot]
    /// Visitors connected right now, over all forwards.
    public var openVisitors: Int
}

/// One SSH connection.
public struct RelaySessionSnapshot: Sendable {
    public var user: String
    /// `IP:PORT` of the agent.
    public var peer: String
    /// `SHA256:…` of the key it logged in with; nil before login.
    public var keyFingerprint: String?
    public var forwards: [RelayForwardSnapshot]
}

/// One granted `tcpip-forward`.
public struct RelayForwardSnapshot: Sendable {
    public var url: PublicURL
    /// As the client asked: bind address and port.
    public var bindHost: String
    public var requestedPort: Int
    public var openVisitors: Int
    public var totalVisitors: Int
    /// Visitor → agent, including visitors still connected.
    public var bytesIn: UInt64
    /// Agent → visitor, including visitors still connected.
    public var bytesOut: UInt64
}
