import BurrowCore

/// The tunnel of one profile: one relay, or a fleet of relays (issue 16).
/// It holds one `Tunnel` per member — each its own SSH connection, backoff
/// and registrations — and hands every mapping change to all of them, so
/// every mapping is registered on every member and a member that dies loses
/// only what was on it. The members share one `Router` and each mapping's
/// `MappingStats`, so a visitor arriving through any relay is counted once,
/// on the same numbers, and the snapshot's stats add up by construction.
///
/// Members: the profile's relays (its own endpoint first, the primary, then
/// `Profile.fleet`), united with the latest `fleet` message any member sent.
/// A member only the relays named is dropped once they stop listing it and
/// its connection is down. A tunnel to one relay is a fleet of one whose
/// snapshot is exactly that relay's, as before fleets.
actor FleetTunnel {
    /// Makes the `Tunnel` for one member endpoint (`host:port`).
    typealias MemberFactory = @Sendable (_ endpoint: String, _ router: Router, _ role: MemberRole) -> Tunnel

    struct MemberRole: Sendable {
        /// The primary announces mapping-level events once for the fleet.
        var primary: Bool
        /// A fleet's members name their relay in connection events.
        var inFleet: Bool
        /// Passes the relay's `fleet` messages to the fleet tunnel.
        var onFleet: (@Sendable ([String]) -> Void)?

        /// A tunnel to one relay, or a fleet's only one so far.
        static let alone = MemberRole(primary: true, inFleet: false)
    }

    let name: String
    private let hub: EventHub
    private let inspector: Inspector
    private let router = Router()
    private let makeMember: MemberFactory
    /// The profile's relays, primary first; never dropped.
    private let named: [String]
    /// Whether the relays' `fleet` messages add members (profiles; not the
    /// embedded relay or an unavailable tunnel).
    private let followsFleet: Bool

    private struct Member {
        var endpoint: String
        var tunnel: Tunnel
        var fromProfile: Bool
    }

    private var members: [Member] = []
    /// The latest `fleet` message's members, normalized.
    private var advertised: [String] = []
    private var mappings: [String: Mapping] = [:]
    private var stats: [String: MappingStats] = [:]
    /// Per mapping, on how many relays it was online at the last sample (for the `N/M relays` notices).
    private var lastServing: [String: RelayCount] = [:]
    private var stopped = false

    init(name: String, relays: [String], followsFleet: Bool, hub: EventHub, inspector: Inspector,
         makeMember: @escaping MemberFactory) {
        self.name = name
        self.named = relays
        self.followsFleet = followsFleet
        self.hub = hub
        self.inspector = inspector
        self.makeMember = makeMember
    }

    var isEmpty: Bool { mappings.isEmpty }

    /// More than one relay (named, or added by the relays): snapshots carry per-member state.
    private var isFleet: Bool { members.count > 1 || named.count > 1 }

    // MARK: Members

    /// The profile's members, made on first use (their `fleet` callbacks need `self`).
    private func ensureMembers() {
        guard members.isEmpty, !stopped else { return }
        for endpoint in named { members.append(member(endpoint, fromProfile: true)) }
    }

    private func member(_ endpoint: String, fromProfile: Bool) -> Member {
        var onFleet: (@Sendable ([String]) -> Void)?
        if followsFleet {
            onFleet = { @Sendable [weak self] (relays: [String]) -> Void in
                Task { await self?.advertise(relays) }
            }
        }
        let role = MemberRole(primary: members.isEmpty, inFleet: named.count > 1 || !members.isEmpty, onFleet: onFleet)
        return Member(endpoint: endpoint, tunnel: makeMember(endpoint, router, role), fromProfile: fromProfile)
    }

    /// A relay's `fleet` message: its live members become the fleet's.
    private func advertise(_ relays: [String]) async {
        guard followsFleet, !stopped else { return }
        var seen = Set<String>()
        // A relay may point the agent at other relays, not at the agent's own
        // machine: a loopback member is taken only when the profile's own
        // relay is on loopback too (a test or a relay on this PC).
        let ownMachine = named.first.map(Self.isLoopback) ?? false
        let normalized = relays.compactMap { try? Profile.normalizedEndpoint($0) }
            .filter { ownMachine || !Self.isLoopback($0) }
            .filter { seen.insert($0).inserted }
        guard normalized != advertised else { return }
        advertised = normalized
        await reconcile()
    }

    /// `host:port` on this machine: localhost, 127.0.0.0/8, ::1, or the unspecified address.
    static func isLoopback(_ endpoint: String) -> Bool {
        guard let host = try? Profile.parseEndpoint(endpoint).host.lowercased() else { return false }
        return host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "::1"
            || host == "0.0.0.0" || host == "::"
    }

    /// Adds the members the relays name and the fleet lacks; drops those
    /// neither the profile nor the relays name any more, once they are down.
    private func reconcile() async {
        guard followsFleet, !stopped, !members.isEmpty else { return }
        let wanted = Set(named + advertised)
        for endpoint in advertised where !members.contains(where: { $0.endpoint == endpoint }) {
            let added = member(endpoint, fromProfile: false)
            members.append(added)
            hub.emit(.notice("\(name)  relay \(endpoint) joined the fleet (\(members.count) relays)"))
            for mapping in mappings.values.sorted(by: { $0.name < $1.name }) {
                await added.tunnel.apply(mapping, stats: stats[mapping.name])
            }
        }
        var down: [Member] = []
        for candidate in members.dropFirst() where !candidate.fromProfile && !wanted.contains(candidate.endpoint) {
            if await !candidate.tunnel.isOnline { down.append(candidate) }
        }
        for candidate in down {
            // Checked again: the relays may have listed it again meanwhile.
            guard !advertised.contains(candidate.endpoint),
                  let index = members.firstIndex(where: { $0.endpoint == candidate.endpoint }) else { continue }
            members.remove(at: index)
            await candidate.tunnel.stop(reason: "no longer a member of the fleet")
            hub.emit(.notice("\(name)  relay \(candidate.endpoint) left the fleet (\(members.count) relays)"))
        }
    }

    // MARK: Mappings

    /// A mapping added to this tunnel, or changed in it: on every member.
    func apply(_ mapping: Mapping) async {
        ensureMembers()
        mappings[mapping.name] = mapping
        let shared = stats[mapping.name] ?? MappingStats(inspector: inspector)
        stats[mapping.name] = shared
        if !mapping.enabled { lastServing[mapping.name] = nil }
        for member in members { await member.tunnel.apply(mapping, stats: shared) }
    }

    /// A mapping removed from this tunnel; `movedTo`: the tunnel it now goes through.
    func remove(_ name: String, movedTo tunnel: String? = nil) async {
        guard mappings.removeValue(forKey: name) != nil else { return }
        stats[name] = nil
        lastServing[name] = nil
        for member in members { await member.tunnel.remove(name, movedTo: tunnel) }
    }

    // MARK: Lifecycle

    /// Every member drains at once: the wait is the longest visitor's.
    func drain(timeout: Duration) async {
        let tunnels = members.map(\.tunnel)
        await withTaskGroup(of: Void.self) { group in
            for tunnel in tunnels { group.addTask { await tunnel.drain(timeout: timeout) } }
        }
    }

    func stop() async {
        stopped = true
        for member in members { await member.tunnel.stop() }
    }

    // MARK: Statistics

    var mappingStats: [(mapping: Mapping, stats: MappingStats)] {
        mappings.values.compactMap { mapping in stats[mapping.name].map { (mapping, $0) } }
    }

    /// Once a second: samples the shared numbers (once, however many members),
    /// drops members the relays stopped listing, and says when a mapping's
    /// count of serving relays changes (`web  online on 2/3 relays`).
    func sample(now: Double) async {
        for stat in stats.values { stat.sample(now: now) }
        await reconcile()
        guard isFleet else { return }
        var online: [String: Int] = [:]
        for member in members {
            for name in await member.tunnel.onlineMappings() { online[name, default: 0] += 1 }
        }
        for mapping in mappings.values.sorted(by: { $0.name < $1.name }) where mapping.enabled {
            let count = RelayCount(serving: online[mapping.name] ?? 0, of: members.count)
            let before = lastServing[mapping.name]
            guard count != before, before != nil || count.serving > 0 else { continue }
            lastServing[mapping.name] = count
            hub.emit(.notice("\(mapping.name)  online on \(count.description)"))
        }
    }

    func snapshot(now: Double) async -> (tunnel: TunnelSnapshot, mappings: [MappingSnapshot]) {
        ensureMembers()
        var parts: [(tunnel: TunnelSnapshot, mappings: [MappingSnapshot])] = []
        for member in members { parts.append(await member.tunnel.snapshot(now: now)) }
        guard isFleet, let primary = parts.first else {
            return parts.first ?? (TunnelSnapshot(profile: name, relay: name, state: .offline(reason: "stopped")), [])
        }
        var tunnel = primary.tunnel
        tunnel.members = zip(members, parts).map { member, part in
            RelayMemberSnapshot(relay: member.endpoint, state: part.tunnel.state, rttMs: part.tunnel.rttMs,
                                connectedSince: part.tunnel.connectedSince, reconnects: part.tunnel.reconnects,
                                fromProfile: member.fromProfile)
        }
        tunnel.reconnects = parts.reduce(0) { $0 + $1.tunnel.reconnects }
        tunnel.connections = parts.compactMap(\.tunnel.connections).reduce(nil) { total, count in
            ConnectionCount(up: (total?.up ?? 0) + count.up, total: (total?.total ?? 0) + count.total)
        }
        tunnel.domain = tunnel.domain ?? parts.lazy.compactMap(\.tunnel.domain).first
        if tunnel.state != .online, let up = parts.first(where: { $0.tunnel.state == .online }) {
            // The fleet serves while any relay does; the primary's own state is in `members`.
            tunnel.state = .online
            tunnel.rttMs = up.tunnel.rttMs
            tunnel.connectedSince = up.tunnel.connectedSince
        }
        var byMember: [[String: MappingSnapshot]] = []
        for part in parts {
            byMember.append(Dictionary(part.mappings.map { ($0.mapping.name, $0) }, uniquingKeysWith: { first, _ in first }))
        }
        let mappings = primary.mappings.map { first -> MappingSnapshot in
            var snapshot = first
            guard snapshot.mapping.enabled else { return snapshot }
            let serving = byMember.compactMap { $0[first.mapping.name] }.filter { $0.state == .online }
            snapshot.relays = RelayCount(serving: serving.count, of: members.count)
            if snapshot.state != .online, let up = serving.first {
                // The primary's URL when it serves (every member answers to one
                // domain behind DNS or a load balancer), else a serving member's.
                snapshot.state = .online
                snapshot.publicURL = up.publicURL
                snapshot.alsoURL = up.alsoURL
                snapshot.https = up.https
            }
            return snapshot
        }
        return (tunnel, mappings)
    }
}
