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
        (state, retryAt, reason) = WireTunnelState.words(member.state)
        rttMs = member.rttMs
        connectedSince = member.connectedSince
        reconnects = member.reconnects
        fromProfile = member.fromProfile
    }

    func value() throws -> RelayMemberSnapshot {
        RelayMemberSnapshot(relay: relay, state: try WireTunnelState.state(state, retryAt: retryAt, reason: reason), rttMs: rttMs,
                            connectedSince: connectedSince, reconnects: reconnects, fromProfile: fromProfile)
    }
}
