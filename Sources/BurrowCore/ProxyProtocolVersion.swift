/// The PROXY protocol header (HAProxy's spec) the agent writes to a TCP or
/// TLS mapping's local service before any visitor byte, so it learns the
/// visitor's real address: `v1` is a text line, `v2` binary.
public enum ProxyProtocolVersion: String, Sendable, Hashable, Codable, CaseIterable, Keyword {
    case v1
    case v2

    public static func unknown(_ text: String) -> CoreError { .invalidProxyProtocol(text) }
}
