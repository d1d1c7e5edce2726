/// Why a tunnel could not come up or went down. Each message says what
/// happened and, where a person can act, what to do.
enum TunnelError: Error, CustomStringConvertible, Sendable {
    /// The relay presents a host key other than the pinned one. Never retried.
    case hostKeyChanged(relay: String, offered: String, pinned: String, knownRelaysPath: String?)
    case hostKeyUnreadable(String)
    case keyRefused(relay: String, fingerprint: String)
    case connectionClosed(String)
    case forwardRefused(String)
    case noControlAnswer
    case timedOut(String)

    var description: String {
        switch self {
        case .hostKeyChanged(let relay, let offered, let pinned, let path):
            let fix = path.map { "If the relay was reinstalled on purpose, delete its line from \($0) and run again." }
                ?? "The embedded relay's key is known in-process; this should never happen."
            return "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for relay \(relay)! "
                + "It offers host key \(offered) but \(pinned) is pinned. Someone could be intercepting the connection "
                + "(man-in-the-middle), or the relay got a new key. Connection refused. \(fix)"
        case .hostKeyUnreadable(let text):
            return "cannot check the relay's host key: \(text)"
        case .keyRefused(let relay, let fingerprint):
            return "relay \(relay) refused this agent's key \(fingerprint): add identity.pub to the relay's authorized_keys, or run the relay with --allow-any-key"
        case .connectionClosed(let text), .forwardRefused(let text):
            return text
        case .noControlAnswer:
            return "the relay stopped answering pings"
        case .timedOut(let what):
            return "timed out \(what)"
        }
    }
}
