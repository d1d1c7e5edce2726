import BurrowCore

/// One relay of a fleet tunnel on the wire (`WireTunnel.members`): the
/// agent's connection to it, like the tunnel's own, and whether the profile
/// named it.
struct WireRelayMember: Codable, Sendable {
    var connection: WireConnection
    /// False for a relay only the fleet's own `fleet` message named.
    var fromProfile: Bool

    private enum CodingKeys: String, CodingKey { case fromProfile }

    init(_ member: RelayMemberSnapshot) {
        connection = WireConnection(relay: member.relay, state: member.state, rttMs: member.rttMs,
                                    connectedSince: member.connectedSince, reconnects: member.reconnects)
        fromProfile = member.fromProfile
    }

    func value() throws -> RelayMemberSnapshot {
        RelayMemberSnapshot(relay: connection.relay, state: try connection.tunnelState(), rttMs: connection.rttMs,
                            connectedSince: connection.connectedSince, reconnects: connection.reconnects, fromProfile: fromProfile)
    }

    /// `{"relay":…,"state":…,…,"fromProfile":…}`: the connection's fields flat beside the member's own.
    func encode(to encoder: any Encoder) throws {
        try connection.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fromProfile, forKey: .fromProfile)
    }

    init(from decoder: any Decoder) throws {
        connection = try WireConnection(from: decoder)
        fromProfile = try decoder.container(keyedBy: CodingKeys.self).decode(Bool.self, forKey: .fromProfile)
    }
}
