/// One mapping rule: protocol + local address → a public URL on a relay.
///
/// JSON shape (in `mappings.json` and `burrow map ls --json`):
/// `{"name", "protocol", "local": "host:port", "enabled", "profile"?, "remotePort"?,
/// "allow"?: [CIDR], "deny"?: [CIDR], "basicAuth"?: {"user", "salt", "sha256"}, "proxyProtocol"?: "v1"|"v2",
/// "httpsRedirect"?: true, "pool"?: true}`.
public struct Mapping: Sendable, Hashable, Codable {
    /// A DNS label; for HTTP and TLS mappings it is also the requested public name.
    public var name: String
    public var `protocol`: MappingProtocol
    public var local: LocalAddress
    /// The relay port asked for (TCP/UDP); nil lets the relay pick (and keep) one.
    public var remotePort: Int?
    public var enabled: Bool
    /// The profile (tunnel) this mapping goes through; nil follows the selected
    /// profile, or the embedded local relay while none is selected.
    public var profile: String?
    /// Visitors the relay lets in (empty = everyone), checked before `deny`.
    public var allow: [CIDR]
    /// Visitors the relay refuses; a match here wins over `allow`.
    public var deny: [CIDR]
    /// HTTP mappings only: the relay asks visitors for this user and password.
    public var basicAuth: BasicAuthRule?
    /// TCP and TLS mappings only: the header the agent writes to the local service first.
    public var proxyProtocol: ProxyProtocolVersion?
    /// HTTP mappings only: plain-http visitors are sent to the https URL
    /// (308) when the relay serves https for the name.
    public var httpsRedirect: Bool
    /// HTTP, TLS and TCP mappings: every connection of the same owner that
    /// marks this name (or port) `pool` serves it at once; the relay spreads
    /// visitors over them (issue 16). Off: the newest connection takes over.
    public var pool: Bool

    public init(
        name: String,
        protocol: MappingProtocol,
        local: LocalAddress,
        remotePort: Int? = nil,
        enabled: Bool = true,
        profile: String? = nil,
        allow: [CIDR] = [],
        deny: [CIDR] = [],
        basicAuth: BasicAuthRule? = nil,
        proxyProtocol: ProxyProtocolVersion? = nil,
        httpsRedirect: Bool = false,
        pool: Bool = false
    ) {
        self.httpsRedirect = httpsRedirect
        self.pool = pool
        self.allow = allow
        self.deny = deny
        self.basicAuth = basicAuth
        self.proxyProtocol = proxyProtocol
        self.name = name
        self.protocol = `protocol`
        self.local = local
        self.remotePort = remotePort
        self.enabled = enabled
        self.profile = profile
    }

    /// Checks the name and ports; throws with a message that names the bad value.
    public func validate() throws(CoreError) {
        try DNSLabel.validate(name)
        guard (1...65535).contains(local.port) else { throw .invalidPort(String(local.port)) }
        if let remotePort, !(1...65535).contains(remotePort) { throw .invalidPort(String(remotePort)) }
        if let profile { try DNSLabel.validate(profile) }
        if let basicAuth {
            try basicAuth.validate()
            guard self.protocol == .http else {
                throw .invalidRule("--basic-auth does not apply to \(self.protocol) mappings: the relay can ask for a password only on http mappings")
            }
        }
        if let proxyProtocol, self.protocol != .tcp, self.protocol != .tls {
            throw .invalidRule("--proxy-protocol \(proxyProtocol) does not apply to \(self.protocol) mappings: use it with tcp or tls (http mappings get X-Forwarded-For)")
        }
        if httpsRedirect, self.protocol != .http {
            throw .invalidRule("--https-redirect does not apply to \(self.protocol) mappings: only http mappings have a plain-http URL to send to https")
        }
        if pool, self.protocol == .udp {
            throw .invalidRule("--pool does not apply to udp mappings yet: pools spread http, tls and tcp visitors")
        }
    }

    /// Whether the relay has rules to enforce for this mapping.
    public var hasAccessRules: Bool { !allow.isEmpty || !deny.isEmpty || basicAuth != nil || httpsRedirect }

    /// A readable name for a mapping added without one: `http-3000`, then
    /// `http-3000-2`, `http-3000-3`… when taken.
    public static func generatedName(for protocol: MappingProtocol, local: LocalAddress, taken: Set<String>) -> String {
        let base = "\(`protocol`.rawValue)-\(local.port)"
        if !taken.contains(base) { return base }
        var suffix = 2
        while taken.contains("\(base)-\(suffix)") { suffix += 1 }
        return "\(base)-\(suffix)"
    }

    public static let jsonKeys: Set<String> = [
        "name", "protocol", "local", "enabled", "profile", "remotePort", "allow", "deny", "basicAuth", "proxyProtocol",
        "httpsRedirect", "pool",
    ]

    private enum CodingKeys: String, CodingKey {
        case name, `protocol`, local, enabled, profile, remotePort, allow, deny, basicAuth, proxyProtocol, httpsRedirect, pool
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        self.protocol = try container.decode(MappingProtocol.self, forKey: .protocol)
        local = try container.decode(LocalAddress.self, forKey: .local)
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        profile = try container.decodeIfPresent(String.self, forKey: .profile)
        remotePort = try container.decodeIfPresent(Int.self, forKey: .remotePort)
        allow = try container.decodeIfPresent([CIDR].self, forKey: .allow) ?? []
        deny = try container.decodeIfPresent([CIDR].self, forKey: .deny) ?? []
        basicAuth = try container.decodeIfPresent(BasicAuthRule.self, forKey: .basicAuth)
        proxyProtocol = try container.decodeIfPresent(ProxyProtocolVersion.self, forKey: .proxyProtocol)
        httpsRedirect = try container.decodeIfPresent(Bool.self, forKey: .httpsRedirect) ?? false
        pool = try container.decodeIfPresent(Bool.self, forKey: .pool) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        try encode(to: encoder, everyField: false)
    }

    /// `everyField`: also the fields at their default, absent ones as null
    /// (the engine API's `PATCH`, where a field left out is kept and null clears it).
    public func encode(to encoder: any Encoder, everyField: Bool) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(self.protocol, forKey: .protocol)
        try container.encode(local, forKey: .local)
        try container.encode(enabled, forKey: .enabled)
        if everyField || profile != nil { try container.encode(profile, forKey: .profile) }
        if everyField || remotePort != nil { try container.encode(remotePort, forKey: .remotePort) }
        if everyField || !allow.isEmpty { try container.encode(allow, forKey: .allow) }
        if everyField || !deny.isEmpty { try container.encode(deny, forKey: .deny) }
        if everyField || basicAuth != nil { try container.encode(basicAuth, forKey: .basicAuth) }
        if everyField || proxyProtocol != nil { try container.encode(proxyProtocol, forKey: .proxyProtocol) }
        if everyField || httpsRedirect { try container.encode(httpsRedirect, forKey: .httpsRedirect) }
        if everyField || pool { try container.encode(pool, forKey: .pool) }
    }
}
