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
}
