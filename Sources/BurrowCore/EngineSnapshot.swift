/// An immutable picture of the agent engine, built on demand (at the UI's
/// refresh rate), never per packet. The TUI draws only from this.
public struct EngineSnapshot: Sendable, Equatable {
    public var takenAt: Double
    public var tunnels: [TunnelSnapshot]
    public var mappings: [MappingSnapshot]

    public init(takenAt: Double = WallClock.now(), tunnels: [TunnelSnapshot] = [], mappings: [MappingSnapshot] = []) {
        self.takenAt = takenAt
        self.tunnels = tunnels
        self.mappings = mappings
    }
}

/// The state of one tunnel: the SSH connection set to one relay.
public enum TunnelState: Sendable, Equatable {
    case connecting
    case online
    /// Waiting for the next attempt, at wall-clock time `retryAt`.
    case reconnecting(retryAt: Double, reason: String)
    case offline(reason: String)
}

public struct TunnelSnapshot: Sendable, Equatable {
    /// The profile name; `EngineSnapshot.embeddedTunnel` for the embedded relay.
    public var profile: String
    /// `host:port` of the relay, or "embedded relay on 127.0.0.1:PORT".
    public var relay: String
    public var state: TunnelState
    /// Round-trip time of the last `burrow-control` ping, in milliseconds.
    public var rttMs: Double?
    /// When the current connection came up (for uptime); nil while down.
    public var connectedSince: Double?
    public var reconnects: Int
    /// The relay's domain once welcomed.
    public var domain: String?
    /// A fleet tunnel's relays (issue 16), the profile's primary first, each
    /// with its own connection; empty for a tunnel to one relay (the fields
    /// above then describe that one connection, as before fleets).
    public var members: [RelayMemberSnapshot] = []
    /// How many of the SSH connections to the relay are up (issue 15; a
    /// fleet's: over all its relays); nil from engines that predate them.
    public var connections: ConnectionCount?

    /// How many of a fleet's relays are connected (`3/3 relays`); nil without a fleet.
    public var relays: RelayCount? {
        members.isEmpty ? nil : RelayCount(serving: members.filter { $0.state == .online }.count, of: members.count)
    }

    public init(profile: String, relay: String, state: TunnelState, rttMs: Double? = nil,
                connectedSince: Double? = nil, reconnects: Int = 0, domain: String? = nil) {
        self.profile = profile
        self.relay = relay
        self.state = state
        self.rttMs = rttMs
        self.connectedSince = connectedSince
        self.reconnects = reconnects
        self.domain = domain
    }
}

/// One relay of a fleet tunnel and the state of the agent's connection to it.
public struct RelayMemberSnapshot: Sendable, Equatable {
    /// The relay's SSH endpoint, `host:port`.
    public var relay: String
    public var state: TunnelState
    public var rttMs: Double?
    public var connectedSince: Double?
    public var reconnects: Int
    /// False for a member only the relays' `fleet` message names (it is
    /// dropped once the relays stop listing it and it is disconnected).
    public var fromProfile: Bool

    public init(relay: String, state: TunnelState, rttMs: Double? = nil, connectedSince: Double? = nil,
                reconnects: Int = 0, fromProfile: Bool = true) {
        self.relay = relay
        self.state = state
        self.rttMs = rttMs
        self.connectedSince = connectedSince
        self.reconnects = reconnects
        self.fromProfile = fromProfile
    }
}

/// How many of a fleet's relays serve something: `serving` of `of`
/// (connected relays for a tunnel, relays the mapping is online on for a mapping).
public struct RelayCount: Sendable, Hashable, Codable {
    public var serving: Int
    public var of: Int

    public init(serving: Int, of: Int) {
        self.serving = serving
        self.of = of
    }

    /// `2/3 relays`
    public var description: String { "\(serving)/\(of) relays" }
}

extension EngineSnapshot {
    /// The tunnel name used for the embedded local relay.
    public static let embeddedTunnel = "local"
}

public enum MappingState: Sendable, Equatable {
    case disabled
    /// Waiting for its tunnel or for the relay's answer.
    case pending
    case online
    /// The relay refused it (name held by another key, port outside range…).
    case refused(reason: String)
}

/// One mapping as the engine sees it: its rule, where it stands with the
/// relay, and its `traffic`. The traffic's fields read as the snapshot's own
/// (`snapshot.bytesIn` is `snapshot.traffic.bytesIn`), as the API's JSON has
/// them flat in the mapping's object.
@dynamicMemberLookup
public struct MappingSnapshot: Sendable, Equatable {
    public var mapping: Mapping
    /// The tunnel (profile name) this mapping resolved to.
    public var tunnel: String
    public var state: MappingState
    public var publicURL: PublicURL?
    /// The mapping's other URL: plain `http://` beside an `https://` `publicURL`.
    public var alsoURL: PublicURL?
    /// The https certificate's state when the relay terminates https for it.
    public var https: HTTPSStatus?
    /// Visitors, bytes, rates, durations and the latest visitors and requests.
    public var traffic: MappingTraffic
    /// True while dials to the mapping's local address fail (shown as
    /// `online · service down`); cleared by the next dial that succeeds.
    public var localServiceDown = false
    /// A pooled mapping's pool as the relay last reported it (`pool 2/3`);
    /// nil for a mapping without `pool`, or before the relay said.
    public var pool: PoolSize? = nil
    /// A fleet tunnel's mapping: on how many of the fleet's relays it is
    /// registered (`3/3 relays`); nil for a tunnel to one relay.
    public var relays: RelayCount? = nil

    public init(mapping: Mapping, tunnel: String, state: MappingState, publicURL: PublicURL? = nil,
                traffic: MappingTraffic = .empty) {
        self.mapping = mapping
        self.tunnel = tunnel
        self.state = state
        self.publicURL = publicURL
        self.traffic = traffic
    }

    public subscript<Value>(dynamicMember field: WritableKeyPath<MappingTraffic, Value>) -> Value {
        get { traffic[keyPath: field] }
        set { traffic[keyPath: field] = newValue }
    }
}

/// One visitor connection (or UDP flow) of a mapping. Codable as the API's
/// `recentVisitors` entries.
public struct VisitorRecord: Sendable, Equatable, Codable {
    /// The visitor's real address as the relay saw it (`ip:port`).
    public var address: String
    public var startedAt: Double
    /// nil while open.
    public var durationMs: Double?
    public var bytesIn: UInt64
    public var bytesOut: UInt64

    public init(address: String, startedAt: Double, durationMs: Double? = nil, bytesIn: UInt64 = 0, bytesOut: UInt64 = 0) {
        self.address = address
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }
}

/// One HTTP request seen by tapping a copy of the stream's heads. Codable as
/// the API's `recentRequests` entries.
public struct HTTPRequestRecord: Sendable, Equatable, Codable {
    /// The inspector's exchange id (`TunnelEngine.exchange(id:)`); 0 when not kept.
    public var id: UInt64
    public var time: Double
    public var method: String
    public var path: String
    /// nil until the response head is seen.
    public var status: Int?
    public var durationMs: Double?
    public var responseBytes: UInt64?
    public var answeredBy: RequestAnswerer
    /// The visitor's address when known (`ip:port`).
    public var visitor: String?

    public init(id: UInt64 = 0, time: Double, method: String, path: String, status: Int? = nil, durationMs: Double? = nil,
                responseBytes: UInt64? = nil, answeredBy: RequestAnswerer = .localService, visitor: String? = nil) {
        self.id = id
        self.answeredBy = answeredBy
        self.visitor = visitor
        self.time = time
        self.method = method
        self.path = path
        self.status = status
        self.durationMs = durationMs
        self.responseBytes = responseBytes
    }
}
