/// Where an https-terminated mapping's certificate stands, as the relay
/// tells the agent (`{"type":"https","name":…,"state":"pending|ready|failed","reason"?:…}`)
/// and the TUI and `burrow up` show it: until a certificate exists the
/// mapping is `https pending`; a failure names the certificate source's error.
public enum HTTPSStatus: Sendable, Equatable, CustomStringConvertible {
    case pending
    case ready
    case failed(reason: String)

    public var description: String {
        switch self {
        case .pending: return "https pending"
        case .ready: return "https ready"
        case .failed(let reason): return "https failed: \(reason)"
        }
    }

    var wireState: String {
        switch self {
        case .pending: return "pending"
        case .ready: return "ready"
        case .failed: return "failed"
        }
    }
}
