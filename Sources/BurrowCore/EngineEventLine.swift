/// An `EngineEvent` as one JSON object, written by `EngineEvent.jsonLine`
/// (`burrow up --json`, `GET /api/v1/events`) and read back by the API
/// client: the event's name and the fields it carries, absent ones left out.
public struct EngineEventLine: Codable, Sendable {
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

    public init(_ engineEvent: EngineEvent) {
        event = engineEvent.name
        switch engineEvent {
        case .connecting(let tunnel, let relay), .connected(let tunnel, let relay):
            self.tunnel = tunnel; self.relay = relay
        case .online(let mapping, let url, let local, let also):
            name = mapping; self.url = url.description; self.local = local.description; alsoURL = also?.description
        case .reconnecting(let tunnel, let seconds, let reason):
            self.tunnel = tunnel; self.reason = reason; retryIn = seconds
        case .offline(let tunnel, let reason):
            self.tunnel = tunnel; self.reason = reason
        case .error(let mapping, let message):
            name = mapping; self.message = message
        case .removed(let mapping), .disabled(let mapping): name = mapping
        case .moved(let mapping, let tunnel): name = mapping; self.tunnel = tunnel
        case .notice(let text): message = text
        }
    }

    /// nil for an event this reader does not know (a newer engine's): skipped.
    public var value: EngineEvent? {
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
