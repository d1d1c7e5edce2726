/// Who answered an HTTP request in a mapping's request list; its raw value on the wire.
public enum RequestAnswerer: String, Sendable, Equatable, Codable {
    /// The mapping's local service (the usual case).
    case localService = "local service"
    /// The agent itself, e.g. its 502 page when the local service refused the connection.
    case agent
    /// The relay, refusing the visitor before it reached the tunnel (basic auth, access rules, limits).
    case relay
}
