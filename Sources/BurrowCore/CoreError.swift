/// Bad input to one of BurrowCore's value types. Each message names the bad
/// value and says what is accepted, so the CLI and the TUI can show it as is.
public enum CoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidName(String, reason: String)
    case invalidPort(String)
    case invalidLocalAddress(String)
    case unknownProtocol(String)
    case invalidURL(String)
    case invalidMessage(String)

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
        }
    }
}
