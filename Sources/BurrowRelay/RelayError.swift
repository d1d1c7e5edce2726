/// Why the relay could not start, or why it refused a client's request.
/// Every message names the bad value and says what to do.
public enum RelayError: Error, Sendable, CustomStringConvertible {
    case stateDirectory(String, reason: String)
    case hostKey(String, reason: String)
    case bindFailed(what: String, host: String, port: Int, reason: String)
    case alreadyRunning
    /// `relay.json` is not valid; the message names the file, place and fix.
    case settings(String)
    /// A `tcpip-forward` (or channel) the relay will not grant; `reason` goes to the client.
    case refused(String)
    /// The fleet's shared state (`--cluster`) cannot be used; one line, no secrets.
    case fleet(String)

    public var description: String {
        switch self {
        case .stateDirectory(let path, let reason):
            return "cannot use state directory '\(path)': \(reason); pass another with --state-dir"
        case .hostKey(let path, let reason):
            return "cannot use host key '\(path)': \(reason); move the file away to make a new key (clients will see a changed host key)"
        case .bindFailed(let what, let host, let port, let reason):
            return "cannot listen for \(what) on \(host):\(port): \(reason); choose another port"
        case .alreadyRunning:
            return "this relay is already running; call shutdown() before starting it again"
        case .refused(let message), .settings(let message), .fleet(let message):
            return message
        }
    }
}
