import BurrowCore
import NIOCore
import NIOSSH

/// One tunnel: the mappings that go through one relay (a profile, or the
/// embedded relay) and the orchestration around its connections. It keeps
/// `connections` SSH connections to the relay (issue 15), each in a slot of
/// its own that reconnects by itself (exponential backoff with jitter),
/// starts a `TunnelSession` for each connection (which registers every
/// enabled mapping, each through its `RegistrationStateMachine`), and hands
/// every session each mapping change, so that adding or removing a mapping
/// never disturbs another's visitors. The route table and the statistics
/// live here: they outlast a connection, and visitors through any connection
/// count once. Every connection says the tunnel's one `AgentInstance` in
/// `hello`, so the relay lets them serve a name together instead of taking
/// it over from each other; a mapping is online while any connection holds
/// it. UDP mappings go through the first slot only (a UDP port is one
/// socket on the relay), and so do pooled mappings (a pool's member is an
/// agent: its size and its balance count agents, issue 16). The first
/// slot's session announces mapping events
/// (online, refused, https), so each is said once.
///
/// In a fleet (`FleetTunnel`) there is one `Tunnel` per relay; they share the
/// fleet's `Router` and each mapping's `MappingStats` (given to `apply`), so
/// visitors arriving through any relay count once, on the same numbers, and
/// the fleet announces mapping changes once (only the primary's `MemberRole` says them).
actor Tunnel {
    let name: String
    let relayDescription: String

    private let target: TunnelTarget?
    private let unavailableReason: String?
    private let group: any EventLoopGroup
    private let hub: EventHub
    private let router: Router
    /// Its place in a fleet: only the primary announces mapping-level events
    /// (disabled, removed, moved), a fleet's relays name themselves in
    /// connection events, and `fleet` messages go to the fleet tunnel.
    private let role: FleetTunnel.MemberRole
    private let backoff = Backoff()
    private let pingInterval: Duration
    private let inspector: Inspector
    /// SSH connections kept to the relay (slots 0..<connections).
    let connections: Int
    /// Said in `hello` by every connection of this tunnel.
    private let instance = AgentInstance.random()

    private struct Entry {
        var mapping: Mapping
        var stats: MappingStats

        var route: Route {
            Route(mapping: mapping.name, protocol: mapping.protocol, local: mapping.local, stats: stats,
                  proxyProtocol: mapping.proxyProtocol, pool: mapping.pool && mapping.protocol != .udp)
        }
    }

    private var entries: [String: Entry] = [:]
    /// The connections, by slot number (`connections` of them).
    private var slots: [ConnectionSlot]
    /// Refusals from the last connection, shown until the next one registers again.
    private var refusals: [String: String] = [:]
    private var reconnects = 0
    private var domain: String?
    private var lastLocalRefusal: [String: ContinuousClock.Instant] = [:]
    private var hostKeyRefused = false

    /// The tunnel's state: online while any connection is, else the first slot's.
    private var state: TunnelState {
        slots.first { $0.state == .online }?.state ?? slots[0].state
    }

    /// The slots are being kept connected.
    private var running: Bool { slots.contains { $0.task != nil } }

    /// Sessions in slot order.
    private var liveSessions: [TunnelSession] { slots.compactMap(\.session) }

    init(target: TunnelTarget, group: any EventLoopGroup, hub: EventHub, pingInterval: Duration = .seconds(5),
         inspector: Inspector = Inspector(), router: Router = Router(), role: FleetTunnel.MemberRole = .alone,
         connections: Int = 1) {
        self.init(name: target.name, relay: target.relayDescription, target: target, unavailableReason: nil, group: group,
                  hub: hub, pingInterval: pingInterval, inspector: inspector, router: router, role: role,
                  connections: connections)
    }

    /// A tunnel that cannot run (unknown profile, unreadable key…): it only lists its mappings.
    init(unavailable name: String, relay: String, reason: String, group: any EventLoopGroup, hub: EventHub,
         inspector: Inspector = Inspector(), router: Router = Router()) {
        self.init(name: name, relay: relay, target: nil, unavailableReason: reason, group: group, hub: hub,
                  pingInterval: .seconds(5), inspector: inspector, router: router, role: .alone, connections: 1)
    }

    private init(name: String, relay: String, target: TunnelTarget?, unavailableReason: String?, group: any EventLoopGroup,
                 hub: EventHub, pingInterval: Duration, inspector: Inspector, router: Router, role: FleetTunnel.MemberRole,
                 connections: Int) {
        self.name = name
        self.relayDescription = relay
        self.target = target
        self.unavailableReason = unavailableReason
        self.group = group
        self.hub = hub
        self.pingInterval = pingInterval
        self.inspector = inspector
        self.router = router
        self.role = role
        self.connections = max(1, connections)
        let first = ConnectionSlot(state: .offline(reason: unavailableReason ?? "not started"))
        self.slots = Array(repeating: first, count: self.connections)
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Whether the connection is up (a fleet drops a member the relays no
    /// longer list only once this is false).
    var isOnline: Bool { state == .online }

    /// The mappings registered on any current connection (a fleet counts its relays per mapping).
    func onlineMappings() async -> Set<String> {
        var online = Set<String>()
        for session in liveSessions {
            online.formUnion(await session.status().registrations.filter { $0.value.state == .online }.keys)
        }
        return online
    }

    /// What slot `slot` registers of `mapping`: UDP and pooled mappings only on the first.
    private static func carries(_ slot: Int, _ mapping: Mapping) -> Bool {
        slot == 0 || (mapping.protocol != .udp && !mapping.pool)
    }

    // MARK: Mappings

    /// A mapping added to this tunnel, or changed in it; `stats`: the
    /// fleet's numbers for it (a new entry's own otherwise).
    func apply(_ mapping: Mapping, stats: MappingStats? = nil) async {
        let old = entries[mapping.name]?.mapping
        guard old != mapping else { return }
        var entry = entries[mapping.name] ?? Entry(mapping: mapping, stats: stats ?? MappingStats(inspector: inspector))
        entry.mapping = mapping
        entries[mapping.name] = entry
        if mapping.enabled {
            router.set(entry.route, for: mapping.name)
        } else {
            router.remove(mapping.name)
        }
        if let old, RegistrationStateMachine.keepsForward(from: old, to: mapping) {} else { refusals[mapping.name] = nil }
        for (slot, session) in slots.enumerated().compactMap({ slot in slot.element.session.map { (slot.offset, $0) } }) {
            if Self.carries(slot, mapping) {
                await session.apply(mapping)
            } else if let old, Self.carries(slot, old) {
                await session.remove(mapping.name)
            }
        }
        if old?.enabled == true && !mapping.enabled && role.primary { hub.emit(.disabled(mapping: mapping.name)) }
        await startOrStop()
    }

    /// A mapping removed from this tunnel; `movedTo`: the tunnel it now goes through.
    func remove(_ name: String, movedTo tunnel: String? = nil) async {
        guard entries.removeValue(forKey: name) != nil else { return }
        refusals[name] = nil
        router.remove(name)
        for session in liveSessions { await session.remove(name) }
        if role.primary { hub.emit(tunnel.map { .moved(mapping: name, tunnel: $0) } ?? .removed(mapping: name)) }
        await startOrStop()
    }

    /// Connects while any mapping is enabled, and only then.
    private func startOrStop() async {
        let anyEnabled = entries.values.contains { $0.mapping.enabled }
        if anyEnabled && !running {
            start()
        } else if !anyEnabled && running {
            await stop(reason: "no enabled mappings")
        }
    }

    private func start() {
        guard target != nil else {
            slots[0].state = .offline(reason: unavailableReason ?? "unavailable")
            return
        }
        hostKeyRefused = false
        for slot in slots.indices { slots[slot].task = Task { await self.run(slot: slot) } }
    }

    /// Sets a slot's state; `event` is emitted only when the tunnel's state
    /// changes by it (a second connection coming and going says nothing).
    private func setSlot(_ slot: Int, _ new: TunnelState, _ event: @autoclosure () -> EngineEvent) {
        let before = state
        slots[slot].state = new
        if state != before || (slot == 0 && !slots.contains { $0.state == .online }) { hub.emit(event()) }
    }

    // MARK: Connection lifecycle

    /// Graceful stop, first step: withdraws every forward (the relay sends no
    /// new visitors), then waits until the open visitors are done or
    /// `timeout` passes. The caller closes the tunnel afterwards.
    func drain(timeout: Duration) async {
        let live = liveSessions
        guard !live.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for session in live { group.addTask { await session.withdrawAll() } }
        }
        let stats = entries.values.map(\.stats)
        let open = { stats.reduce(0) { $0 + $1.openVisitorCount } }
        guard open() > 0 else { return }
        hub.emit(.notice("stopping: letting \(open()) open visitor connection(s) finish (up to \(timeout))"))
        // Visitors end by themselves, or all at once when the connection closes.
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for stat in stats { await stat.untilNoOpenVisitors() }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        if open() > 0 {
            hub.emit(.error(mapping: nil, message: "drain timeout (\(timeout)) reached: closing \(open()) visitor connection(s) still open"))
        }
    }

    /// Closes the connection (waiting until it is closed) and stops reconnecting.
    func stop(reason: String = "stopped") async {
        for slot in slots.indices {
            slots[slot].task?.cancel()
            slots[slot].task = nil
        }
        for session in liveSessions {
            try? await session.connection.channel.close()
        }
        if target != nil {
            for slot in slots.indices { slots[slot].state = .offline(reason: reason) }
            hub.emit(.offline(tunnel: name, reason: said(reason)))
        }
    }

    /// Keeps slot `slot`'s connection up until cancelled.
    private func run(slot: Int) async {
        guard var target else { return }
        target.instance = instance
        target.connection = slot
        var attempt = 0
        while !Task.isCancelled {
            setSlot(slot, .connecting, .connecting(tunnel: name, relay: relayDescription))
            let reason: TunnelError
            do {
                let connection = try await SSHTunnelConnection.connect(
                    group: group, target: target, router: router,
                    onLocalRefused: { [weak self] mapping, local, error in
                        Task { await self?.localRefused(mapping, local: local, error: error) }
                    })
                if Task.isCancelled {
                    connection.close()
                    return
                }
                let started = ContinuousClock.now
                reason = await serve(connection, target: target, slot: slot)
                // A connection that lived a while earns a fresh backoff.
                if ContinuousClock.now - started > .seconds(10) { attempt = 0 }
            } catch let error as TunnelError {
                reason = error
            } catch {
                reason = .connectionClosed(SSHTunnelConnection.describe(error))
            }
            if Task.isCancelled { return }
            if case .hostKeyChanged = reason {
                // Every slot would meet the same key: the first to meet it
                // stops them all (the tunnel is offline at once) and says so once.
                if !hostKeyRefused {
                    hostKeyRefused = true
                    for other in slots.indices {
                        if other != slot { slots[other].task?.cancel() }
                        slots[other].task = nil
                        slots[other].state = .offline(reason: "relay host key changed")
                    }
                    hub.emit(.error(mapping: nil, message: reason.description))
                    hub.emit(.offline(tunnel: name, reason: said("relay host key changed; connection refused")))
                }
                return
            }
            let delay = backoff.delay(attempt: attempt)
            attempt += 1
            setSlot(slot, .reconnecting(retryAt: WallClock.now() + delay, reason: reason.description),
                    .reconnecting(tunnel: name, retryInSeconds: delay, reason: said(reason.description)))
            try? await Task.sleep(for: .seconds(delay))
        }
    }

    /// Runs one connection's session until it ends; returns why it ended.
    private func serve(_ connection: SSHTunnelConnection, target: TunnelTarget, slot: Int) async -> TunnelError {
        let session = TunnelSession(
            connection: connection, target: target,
            mappings: entries.values.map(\.mapping).filter { Self.carries(slot, $0) }, refusals: refusals,
            router: router, hub: hub, pingInterval: pingInterval, onFleet: slot == 0 ? role.onFleet : nil, announces: slot == 0)
        slots[slot].session = session
        slots[slot].since = WallClock.now()
        if slots[slot].everConnected { reconnects += 1 }
        slots[slot].everConnected = true
        setSlot(slot, .online, .connected(tunnel: name, relay: relayDescription))
        let ended = await session.run()
        if slots[slot].session === session {
            slots[slot].session = nil
            slots[slot].since = nil
        }
        if slot == 0 { refusals = ended.refusals.filter { entries[$0.key]?.mapping.enabled == true } }
        return ended.reason
    }

    /// A connection event's reason; a fleet member's names its relay.
    private func said(_ reason: String) -> String {
        role.inFleet && !reason.contains(relayDescription) ? "relay \(relayDescription): \(reason)" : reason
    }

    private func localRefused(_ mapping: String, local: LocalAddress, error: any Error) async {
        let pooled = entries[mapping]?.route.pool == true
        // The relay takes a pooled member out until its service answers again.
        if pooled { await slots[0].session?.serviceDown(mapping, local: local) }
        let now = ContinuousClock.now
        if let last = lastLocalRefusal[mapping], now - last < .seconds(2) { return }
        lastLocalRefusal[mapping] = now
        let http = entries[mapping]?.mapping.protocol == .http
        hub.emit(.error(mapping: mapping, message: "the local service on \(local) refused the connection (\(SSHTunnelConnection.describe(error)))"
            + (pooled ? "; the relay sends its visitors to the pool's other members until it answers"
                : http ? "; visitors get a 502 page" : "; the visitor was disconnected")))
    }

    // MARK: Statistics

    /// The statistics of the mappings of this tunnel, with the mapping each belongs to (the inspector reads them).
    var mappingStats: [(mapping: Mapping, stats: MappingStats)] {
        entries.values.map { ($0.mapping, $0.stats) }
    }

    func sample(now: Double) {
        for entry in entries.values { entry.stats.sample(now: now) }
    }

    func snapshot(now: Double) async -> (tunnel: TunnelSnapshot, mappings: [MappingSnapshot]) {
        var statuses: [TunnelSession.Status] = []
        for session in liveSessions { statuses.append(await session.status()) }
        let live = statuses.first
        if let relayDomain = statuses.lazy.compactMap(\.domain).first { domain = relayDomain }
        // Per mapping, the first connection's registration, unless another one holds it online.
        var registrations = live?.registrations ?? [:]
        for status in statuses.dropFirst() {
            for (name, registration) in status.registrations where registrations[name]?.state != .online {
                if registration.state == .online || registrations[name] == nil { registrations[name] = registration }
            }
        }
        var pools: [String: PoolSize] = [:]
        for status in statuses.reversed() { pools.merge(status.pools) { _, first in first } }
        var tunnel = TunnelSnapshot(profile: name, relay: relayDescription, state: state,
                                    rttMs: statuses.lazy.compactMap(\.rttMs).first,
                                    connectedSince: slots.compactMap(\.since).min(), reconnects: reconnects, domain: domain)
        if target != nil {
            tunnel.connections = ConnectionCount(up: slots.filter { $0.state == .online }.count, total: slots.count)
        }
        let mappings = entries.values.map { entry in
            let name = entry.mapping.name
            let between: MappingState = !entry.mapping.enabled ? .disabled
                : refusals[name].map { .refused(reason: $0) } ?? .pending
            let registration = registrations[name]
            var snapshot = MappingSnapshot(mapping: entry.mapping, tunnel: self.name, state: registration?.state ?? between,
                                           publicURL: registration?.url)
            snapshot.alsoURL = registration?.also
            snapshot.https = registration?.https
            if entry.mapping.pool { snapshot.pool = pools[name] }
            entry.stats.fill(&snapshot, now: now)
            return snapshot
        }
        return (tunnel, mappings)
    }
}
