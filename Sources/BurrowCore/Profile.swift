/// How the agent reaches one relay: host, SSH port, user, identity key.
public struct Profile: Sendable, Hashable, Codable {
    public static let defaultSSHPort = 2222
    public static let defaultUser = "burrow"

    /// A DNS label naming this tunnel.
    public var name: String
    public var host: String
    public var sshPort: Int
    /// The SSH user name; the relay labels the session with it, the key decides access.
    public var user: String
    /// A private key file in OpenSSH format; nil means the config dir's `identity`.
    public var identity: String?
    /// More relays of the same fleet (issue 16), as SSH endpoints `host:port`;
    /// the profile's own `host:sshPort` is the fleet's first (primary) member.
    /// Empty: one relay (a clustered relay's `fleet` message may still add members).
    public var fleet: [String]
    /// SSH connections the agent keeps to each relay of this profile (issue
    /// 15; `ConnectionCount.range`); nil: `burrow up --connections`, else one per core, at most 4.
    public var connections: Int?

    public init(name: String, host: String, sshPort: Int = Profile.defaultSSHPort, user: String = Profile.defaultUser,
                identity: String? = nil, fleet: [String] = [], connections: Int? = nil) {
        self.connections = connections
        self.name = name
        self.host = host
        self.sshPort = sshPort
        self.user = user
        self.identity = identity
        self.fleet = fleet
    }

    private enum CodingKeys: String, CodingKey { case name, host, sshPort, user, identity, fleet, connections }

    /// Decodes a profile written before fleets (no `fleet`) as a fleet of one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name), host: try container.decode(String.self, forKey: .host),
                  sshPort: try container.decode(Int.self, forKey: .sshPort), user: try container.decode(String.self, forKey: .user),
                  identity: try container.decodeIfPresent(String.self, forKey: .identity),
                  fleet: try container.decodeIfPresent([String].self, forKey: .fleet) ?? [],
                  connections: try container.decodeIfPresent(Int.self, forKey: .connections))
    }

    /// Parses `HOST` or `HOST:SSH_PORT` (or `[V6]:SSH_PORT`) into host and port.
    public static func parseEndpoint(_ text: String) throws(CoreError) -> (host: String, port: Int) {
        if text.hasPrefix("[") || text.filter({ $0 == ":" }).count == 1 {
            let address = try LocalAddress(parsing: text)
            return (address.host, address.port)
        }
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw .invalidLocalAddress(text)
        }
        return (text, defaultSSHPort)
    }

    public func validate() throws(CoreError) {
        try DNSLabel.validate(name)
        guard (1...65535).contains(sshPort) else { throw .invalidPort(String(sshPort)) }
        _ = try Profile.fleetEndpoints(fleet, primary: endpoint)
    }

    /// `host:port` written the one way (`HOST` gets the default SSH port), so
    /// a member named twice, or named by the relays, is one member.
    public static func normalizedEndpoint(_ text: String) throws(CoreError) -> String {
        let (host, port) = try parseEndpoint(text)
        return LocalAddress(host: host, port: port).description
    }

    /// The fleet's extra members normalized, in order, without duplicates or
    /// the primary; an endpoint that does not parse is refused.
    public static func fleetEndpoints(_ fleet: [String], primary: String) throws(CoreError) -> [String] {
        distinct(try fleet.map { (text) throws(CoreError) in try normalizedEndpoint(text) }, besides: primary)
    }

    /// Every relay of the profile's fleet: its own endpoint first, then `fleet`
    /// (normalized, deduplicated; an endpoint that does not parse is skipped —
    /// `validate` refuses it before it is stored).
    public var members: [String] {
        [endpoint] + Profile.distinct(fleet.compactMap { try? Profile.normalizedEndpoint($0) }, besides: endpoint)
    }

    /// `endpoints` in order, each once, without `primary`.
    private static func distinct(_ endpoints: [String], besides primary: String) -> [String] {
        var seen: Set<String> = [primary]
        return endpoints.filter { seen.insert($0).inserted }
    }

    /// `host:port` as typed by people (`[v6]:port` for IPv6).
    public var endpoint: String { LocalAddress(host: host, port: sshPort).description }

    public static let jsonKeys: Set<String> = ["name", "host", "sshPort", "user", "identity", "fleet", "connections"]
}
