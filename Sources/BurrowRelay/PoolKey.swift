/// What a pool serves: an HTTP name, a TLS (SNI) name, or a TCP port.
enum PoolKey: Hashable, Sendable {
    case http(String)
    case tls(String)
    case tcp(Int)

    /// The name (HTTP, TLS) or the port as text.
    var name: String {
        switch self {
        case .http(let name), .tls(let name): return name
        case .tcp(let port): return String(port)
        }
    }

    /// For reasons: "name 'web'", "TCP port 40001".
    var label: String {
        switch self {
        case .http(let name), .tls(let name): return "name '\(name)'"
        case .tcp(let port): return "TCP port \(port)"
        }
    }
}
