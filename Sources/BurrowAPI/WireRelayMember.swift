import BurrowCore

/// One relay of a fleet tunnel on the wire (`WireTunnel.members`): its
/// endpoint and the state of the agent's connection to it, the state as a
/// word with its details beside it, like the tunnel's own.
struct WireRelayMember: Codable, Sendable {
    var relay: String
    /// connecting, online, reconnecting, offline.
    var state: String
    var retryAt: Double?
    var reason: String?
    var rttMs: Double?
    var connectedSince: Double?
    var reconnects: Int
    /// False for a relay only the fleet's own `fleet` message named.
    var fromProfile: Bool

    init(_ member: RelayMemberSnapshot) {
        relay = member.relay
        (state, retryAt, reason) = WireRelayMember.words(member.state)
        rttMs = member.rttMs
        connectedSince = member.connectedSince
        reconnects = member.reconnects
        fromProfile = member.fromProfile
    }

    func value() throws -> RelayMemberSnapshot {
        RelayMemberSnapshot(relay: relay, state: try WireRelayMember.state(state, retryAt: retryAt, reason: reason), rttMs: rttMs,
                            connectedSince: connectedSince, reconnects: reconnects, fromProfile: fromProfile)
    }

    /// A tunnel state as a word, with the retry time and reason it carries.
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
