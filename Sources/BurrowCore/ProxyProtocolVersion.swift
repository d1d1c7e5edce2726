/// The PROXY protocol header (HAProxy's spec) the agent writes to a TCP or
/// TLS mapping's local service before any visitor byte, so it learns the
/// visitor's real address: `v1` is a text line, `v2` binary.
public enum ProxyProtocolVersion: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case v1
    case v2

    public init(parsing text: String) throws(CoreError) {
        guard let value = ProxyProtocolVersion(rawValue: text.lowercased()) else { throw .invalidProxyProtocol(text) }
        self = value
    }

    public var description: String { rawValue }
}
