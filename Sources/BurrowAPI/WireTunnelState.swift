import BurrowCore

/// A `TunnelState` on the wire: a word (connecting, online, reconnecting,
/// offline) with the retry time and reason it carries beside it. Used by a
/// tunnel (`WireTunnel`) and by each relay of a fleet (`WireRelayMember`).
enum WireTunnelState {
    static func words(_ state: TunnelState) -> (state: String, retryAt: Double?, reason: String?) {
        switch state {
        case .connecting: return ("connecting", nil, nil)
        case .online: return ("online", nil, nil)
        case .reconnecting(let at, let why): return ("reconnecting", at, why)
        case .offline(let why): return ("offline", nil, why)
        }
    }

    static func state(_ word: String, retryAt: Double?, reason: String?) throws -> TunnelState {
        switch word {
        case "connecting": return .connecting
        case "online": return .online
        case "reconnecting": return .reconnecting(retryAt: retryAt ?? 0, reason: reason ?? "")
        case "offline": return .offline(reason: reason ?? "")
        default: throw EngineAPIError.badResponse("unknown tunnel state '\(word)'")
        }
    }
}
