/// What an agent tells the relay about a mapping before its `tcpip-forward`
/// (the `register` control message): its kind and the access rules the relay
/// enforces for it. Only the hash of a basic-auth password travels.
public struct MappingRegistration: Sendable, Hashable {
    /// The bind address of the `tcpip-forward` that follows (the mapping's name).
    public var name: String
    public var `protocol`: MappingProtocol
    public var allow: [CIDR]
    public var deny: [CIDR]
    public var basicAuth: BasicAuthRule?
    /// Plain-http visitors are sent to https (308) when the relay serves https for the name.
    public var httpsRedirect: Bool
    /// The forward joins the pool of its name (or port): every connection of
    /// the same owner asking with `pool` serves it at once.
    public var pool: Bool

    public init(
        name: String, protocol: MappingProtocol, allow: [CIDR] = [], deny: [CIDR] = [], basicAuth: BasicAuthRule? = nil,
        httpsRedirect: Bool = false, pool: Bool = false
    ) {
        self.httpsRedirect = httpsRedirect
        self.pool = pool
        self.name = name
        self.protocol = `protocol`
        self.allow = allow
        self.deny = deny
        self.basicAuth = basicAuth
    }

    public init(_ mapping: Mapping) {
        self.init(
            name: mapping.name, protocol: mapping.protocol, allow: mapping.allow, deny: mapping.deny, basicAuth: mapping.basicAuth,
            httpsRedirect: mapping.httpsRedirect, pool: mapping.pool)
    }
}
