/// What an agent tells the relay about a mapping before its `tcpip-forward`
/// (the `register` control message): its kind and the access rules the relay
/// enforces for it. Only the hash of a basic-auth password travels.
public struct MappingRegistration: Sendable, Hashable {
    /// The bind address of the `tcpip-forward` that follows (the mapping's name).
    public var name: String
    public var `protocol`: MappingProtocol
    public var allow: [CIDR] = []
    public var deny: [CIDR] = []
    public var basicAuth: BasicAuthRule?
    /// Plain-http visitors are sent to https (308) when the relay serves https for the name.
    public var httpsRedirect = false
    /// The forward joins the pool of its name (or port): every connection of
    /// the same owner asking with `pool` serves it at once.
    public var pool = false
}

extension MappingRegistration {
    /// The registration of `mapping`: its name, kind and the rules the relay enforces.
    public init(_ mapping: Mapping) {
        self.init(
            name: mapping.name, protocol: mapping.protocol, allow: mapping.allow, deny: mapping.deny, basicAuth: mapping.basicAuth,
            httpsRedirect: mapping.httpsRedirect, pool: mapping.pool)
    }
}
