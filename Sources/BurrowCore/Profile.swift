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

    public init(name: String, host: String, sshPort: Int = Profile.defaultSSHPort, user: String = Profile.defaultUser, identity: String? = nil) {
        self.name = name
        self.host = host
        self.sshPort = sshPort
        self.user = user
        self.identity = identity
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
    }

    /// `host:port` as typed by people (`[v6]:port` for IPv6).
    public var endpoint: String { LocalAddress(host: host, port: sshPort).description }

    public static let jsonKeys: Set<String> = ["name", "host", "sshPort", "user", "identity"]
}
