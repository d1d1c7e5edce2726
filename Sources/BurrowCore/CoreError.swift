/// Bad input to one of BurrowCore's value types. Each message names the bad
/// value and says what is accepted, so the CLI and the TUI can show it as is.
public enum CoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidName(String, reason: String)
    case invalidPort(String)
    case invalidLocalAddress(String)
    case unknownProtocol(String)
    case invalidURL(String)
    case invalidMessage(String)
    case invalidCIDR(String)
    case invalidBasicAuth(String)
    case invalidProxyProtocol(String)
    /// A rule that does not fit the mapping (e.g. basic auth on a TCP mapping).
    case invalidRule(String)

    public var description: String {
        switch self {
        case .invalidName(let name, let reason):
            return "invalid name '\(name)': \(reason); use 1-63 of a-z, 0-9 and '-', not starting or ending with '-'"
        case .invalidPort(let port):
            return "invalid port '\(port)': use a number from 1 to 65535"
        case .invalidLocalAddress(let text):
            return "invalid local address '\(text)': use PORT or HOST:PORT (e.g. 3000, 127.0.0.1:3000, [::1]:3000)"
        case .unknownProtocol(let text):
            return "unknown protocol '\(text)': use one of http, tcp, udp, tls"
        case .invalidURL(let text):
            return "invalid public URL '\(text)'"
        case .invalidMessage(let text):
            return "invalid burrow-control message: \(text)"
        case .invalidCIDR(let text):
            return "invalid address or network '\(text)': use an IPv4 or IPv6 address with an optional /PREFIX (e.g. 203.0.113.0/24, 2001:db8::/32, ::1)"
        case .invalidBasicAuth(let text):
            return "invalid basic auth: \(text)"
        case .invalidProxyProtocol(let text):
            return "invalid PROXY protocol version '\(text)': use v1 or v2"
        case .invalidRule(let text):
            return text
        }
    }
}
