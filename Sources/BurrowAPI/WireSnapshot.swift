import BurrowCore

/// `EngineSnapshot` on the wire (`GET /api/v1/tunnels`): camelCase, states
/// as strings with their details beside them (`"state":"reconnecting",
/// "retryAt":…, "reason":…`). Decoded back into the same value by the client.
struct WireSnapshot: Codable, Sendable {
    var takenAt: Double
    var tunnels: [WireTunnel]
    var mappings: [WireMappingSnapshot]

    init(_ snapshot: EngineSnapshot) {
        takenAt = snapshot.takenAt
        tunnels = snapshot.tunnels.map(WireTunnel.init)
        mappings = snapshot.mappings.map(WireMappingSnapshot.init)
    }

    func value() throws -> EngineSnapshot {
        EngineSnapshot(takenAt: takenAt, tunnels: try tunnels.map { try $0.value() }, mappings: try mappings.map { try $0.value() })
    }
}

/// A tunnel on the wire: its connection to the relay (a fleet's primary)
/// and the tunnel's own fields, flat in one object.
struct WireTunnel: Codable, Sendable {
    var connection: WireConnection
    var details: Details

    struct Details: Codable, Sendable {
        var profile: String
        var domain: String?
        /// A fleet's relays, primary first (absent for a tunnel to one relay).
        var members: [WireRelayMember]?
        /// A fleet's connected relays: `{"serving":2,"of":3}` (absent without a fleet).
        var relays: RelayCount?
        /// The SSH connections to the relay that are up: `{"up":2,"total":2}` (absent from older engines).
        var connections: ConnectionCount?
    }

    init(_ tunnel: TunnelSnapshot) {
        connection = WireConnection(relay: tunnel.relay, state: tunnel.state, rttMs: tunnel.rttMs,
                                    connectedSince: tunnel.connectedSince, reconnects: tunnel.reconnects)
        details = Details(profile: tunnel.profile, domain: tunnel.domain,
                          members: tunnel.members.isEmpty ? nil : tunnel.members.map(WireRelayMember.init),
                          relays: tunnel.relays, connections: tunnel.connections)
    }

    func value() throws -> TunnelSnapshot {
        var tunnel = TunnelSnapshot(profile: details.profile, relay: connection.relay, state: try connection.tunnelState(),
                                    rttMs: connection.rttMs, connectedSince: connection.connectedSince,
                                    reconnects: connection.reconnects, domain: details.domain)
        tunnel.members = try (details.members ?? []).map { try $0.value() }
        tunnel.connections = details.connections
        return tunnel
    }

    func encode(to encoder: any Encoder) throws {
        try connection.encode(to: encoder)
        try details.encode(to: encoder)
    }

    init(from decoder: any Decoder) throws {
        connection = try WireConnection(from: decoder)
        details = try Details(from: decoder)
    }
}

/// A mapping on the wire: its name, rule and state, then its traffic
/// (`MappingTraffic`'s fields), flat in one object.
struct WireMappingSnapshot: Codable, Sendable {
    var details: Details
    var traffic: MappingTraffic

    struct Details: Codable, Sendable {
        var name: String
        var mapping: Mapping
        var tunnel: String
        /// disabled, pending, online, refused.
        var state: String
        var reason: String?
        var url: String?
        var alsoURL: String?
        /// pending, ready, failed (with `httpsReason`).
        var https: String?
        var httpsReason: String?
        var localServiceDown: Bool
        /// A pooled mapping's pool as the relay reports it: `{"online":2,"members":3}`.
        var pool: PoolSize?
        /// A fleet tunnel's mapping: on how many relays it is online, `{"serving":3,"of":3}`.
        var relays: RelayCount?
    }

    init(_ item: MappingSnapshot) {
        let (state, reason) = WireMappingSnapshot.state(item.state)
        details = Details(name: item.mapping.name, mapping: item.mapping, tunnel: item.tunnel, state: state, reason: reason,
                          url: item.publicURL?.description, alsoURL: item.alsoURL?.description,
                          localServiceDown: item.localServiceDown, pool: item.pool, relays: item.relays)
        switch item.https {
        case nil: break
        case .pending: details.https = "pending"
        case .ready: details.https = "ready"
        case .failed(let why): details.https = "failed"; details.httpsReason = why
        }
        traffic = item.traffic
    }

    init(from decoder: any Decoder) throws {
        details = try Details(from: decoder)
        traffic = try MappingTraffic(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try details.encode(to: encoder)
        try traffic.encode(to: encoder)
    }

    static func state(_ state: MappingState) -> (String, String?) {
        switch state {
        case .disabled: return ("disabled", nil)
        case .pending: return ("pending", nil)
        case .online: return ("online", nil)
        case .refused(let why): return ("refused", why)
        }
    }

    func value() throws -> MappingSnapshot {
        let parsed: MappingState
        switch details.state {
        case "disabled": parsed = .disabled
        case "pending": parsed = .pending
        case "online": parsed = .online
        case "refused": parsed = .refused(reason: details.reason ?? "")
        default: throw EngineAPIError.badResponse("unknown mapping state '\(details.state)'")
        }
        var item = MappingSnapshot(mapping: details.mapping, tunnel: details.tunnel, state: parsed,
                                   publicURL: try details.url.map { try PublicURL(parsing: $0) }, traffic: traffic)
        item.alsoURL = try details.alsoURL.map { try PublicURL(parsing: $0) }
        switch details.https {
        case nil: item.https = nil
        case "pending": item.https = .pending
        case "ready": item.https = .ready
        case "failed": item.https = .failed(reason: details.httpsReason ?? "")
        case let other?: throw EngineAPIError.badResponse("unknown https state '\(other)'")
        }
        item.localServiceDown = details.localServiceDown
        item.pool = details.pool
        item.relays = details.relays
        return item
    }
}
