/// What a mapping carries, and so how the relay exposes it.
public enum MappingProtocol: String, Sendable, Hashable, Codable, CaseIterable, Keyword {
    /// Routed by the `Host` header on the relay's HTTP port: `http://NAME.DOMAIN[:PORT]`.
    case http
    /// A relay TCP port of its own: `tcp://HOST:PORT`.
    case tcp
    /// A relay UDP port of its own: `udp://HOST:PORT`.
    case udp
    /// TLS passed through unopened, routed by SNI: `https://NAME.DOMAIN[:PORT]`.
    case tls

    public static func unknown(_ text: String) -> CoreError { .unknownProtocol(text) }

    /// The `tcpip-forward` bind port that asks the relay for this kind of
    /// mapping (sish conventions: 80 = HTTP, 443 = TLS by SNI).
    public static let httpBindPort = 80
    public static let tlsBindPort = 443
}
