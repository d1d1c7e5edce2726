import BurrowCore

/// One line of `GET /api/v1/events`, read back: the fields
/// `EngineEvent.jsonLine` writes (the same line `burrow up --json` prints).
struct WireEvent: Decodable, Sendable {
    var event: String
    var name: String?
    var tunnel: String?
    var relay: String?
    var url: String?
    var alsoURL: String?
    var local: String?
    var reason: String?
    var message: String?
    var retryIn: Double?

    /// nil for an event this client does not know (a newer engine's): skipped.
    var value: EngineEvent? {
        switch event {
        case "connecting": return tunnel.map { .connecting(tunnel: $0, relay: relay ?? "") }
        case "connected": return tunnel.map { .connected(tunnel: $0, relay: relay ?? "") }
        case "online":
            guard let name, let url = url.flatMap({ try? PublicURL(parsing: $0) }),
                  let local = local.flatMap({ try? LocalAddress(parsing: $0) }) else { return nil }
            return .online(mapping: name, url: url, local: local, also: alsoURL.flatMap { try? PublicURL(parsing: $0) })
        case "reconnecting": return tunnel.map { .reconnecting(tunnel: $0, retryInSeconds: retryIn ?? 0, reason: reason ?? "") }
        case "offline": return tunnel.map { .offline(tunnel: $0, reason: reason ?? "") }
        case "error": return .error(mapping: name, message: message ?? "")
        case "removed": return name.map { .removed(mapping: $0) }
        case "disabled": return name.map { .disabled(mapping: $0) }
        case "moved": return name.map { .moved(mapping: $0, tunnel: tunnel ?? "") }
        case "notice": return .notice(message ?? "")
        default: return nil
        }
    }
}
