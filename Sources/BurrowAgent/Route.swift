import BurrowCore

/// Where a tunnel sends a visitor channel: the mapping it belongs to, its
/// local address and its statistics.
struct Route: Sendable {
    var mapping: String
    var `protocol`: MappingProtocol
    var local: LocalAddress
    var stats: MappingStats
    /// TCP/TLS: the PROXY protocol header to write to the local service first.
    var proxyProtocol: ProxyProtocolVersion? = nil
    /// A pooled mapping: the local service is dialed before the visitor's
    /// channel is accepted, so a refusal becomes a refused channel the relay
    /// offers to another member (no 502 while a member is healthy).
    var pool = false
}
