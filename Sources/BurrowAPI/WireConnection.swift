import BurrowCore

/// The agent's connection to one relay on the wire, written flat into a
/// tunnel (`WireTunnel`) and into each relay of a fleet (`WireRelayMember`):
/// the relay, the state as a word (connecting, online, reconnecting, offline)
/// with the retry time and reason it carries beside it, the round trip, since
/// when it is up and how often it reconnected.
struct WireConnection: Codable, Sendable {
    var relay: String
    var state: String
    var retryAt: Double?
    var reason: String?
    var rttMs: Double?
    var connectedSince: Double?
    var reconnects: Int

    init(relay: String, state: TunnelState, rttMs: Double?, connectedSince: Double?, reconnects: Int) {
        self.relay = relay
        switch state {
        case .connecting: self.state = "connecting"
        case .online: self.state = "online"
        case .reconnecting(let at, let why): (self.state, retryAt, reason) = ("reconnecting", at, why)
        case .offline(let why): (self.state, reason) = ("offline", why)
        }
        self.rttMs = rttMs
        self.connectedSince = connectedSince
        self.reconnects = reconnects
    }

    func tunnelState() throws -> TunnelState {
        switch state {
        case "connecting": return .connecting
        case "online": return .online
        case "reconnecting": return .reconnecting(retryAt: retryAt ?? 0, reason: reason ?? "")
        case "offline": return .offline(reason: reason ?? "")
        default: throw EngineAPIError.badResponse("unknown tunnel state '\(state)'")
        }
    }
}
