/// One mapping rule: protocol + local address → a public URL on a relay.
///
/// JSON shape (in `mappings.json` and `burrow map ls --json`):
/// `{"name", "protocol", "local": "host:port", "enabled", "profile"?, "remotePort"?}`.
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

    public init(
        name: String,
        protocol: MappingProtocol,
        local: LocalAddress,
        remotePort: Int? = nil,
        enabled: Bool = true,
        profile: String? = nil
    ) {
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
    }

    /// A readable name for a mapping added without one: `http-3000`, then
    /// `http-3000-2`, `http-3000-3`… when taken.
    public static func generatedName(for protocol: MappingProtocol, local: LocalAddress, taken: Set<String>) -> String {
        let base = "\(`protocol`.rawValue)-\(local.port)"
        if !taken.contains(base) { return base }
        var suffix = 2
        while taken.contains("\(base)-\(suffix)") { suffix += 1 }
        return "\(base)-\(suffix)"
    }

    public static let jsonKeys: Set<String> = ["name", "protocol", "local", "enabled", "profile", "remotePort"]

    private enum CodingKeys: String, CodingKey {
        case name, `protocol`, local, enabled, profile, remotePort
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        self.protocol = try container.decode(MappingProtocol.self, forKey: .protocol)
        local = try container.decode(LocalAddress.self, forKey: .local)
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        profile = try container.decodeIfPresent(String.self, forKey: .profile)
        remotePort = try container.decodeIfPresent(Int.self, forKey: .remotePort)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(self.protocol, forKey: .protocol)
        try container.encode(local, forKey: .local)
        try container.encode(enabled, forKey: .enabled)
        try container.encodeIfPresent(profile, forKey: .profile)
        try container.encodeIfPresent(remotePort, forKey: .remotePort)
    }
}
