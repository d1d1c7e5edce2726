import BurrowConfig
import BurrowCore
import NIOCore

/// The engine's mutable heart: which mappings exist (in `mappings.json`
/// order), which tunnel each one goes through, and the tunnels themselves.
/// It is told of every change by the process's `ConfigWatcher` and hands
/// each one to the tunnel it concerns; it never reads the files itself.
actor EngineCore {
    private let store: ConfigStore
    private let options: EngineOptions
    private let group: any EventLoopGroup
    private let hub: EventHub
    /// The request inspector's id counter and switch, shared by every tunnel.
    let inspector: Inspector

    private var config = ConfigFile()
    private var mappings: [Mapping] = []
    private var tunnels: [String: FleetTunnel] = [:]
    /// The profile each tunnel was built from (nil: the embedded relay or an unavailable tunnel).
    private var tunnelProfiles: [String: Profile?] = [:]
    private var stopped = false

    init(store: ConfigStore, options: EngineOptions, group: any EventLoopGroup, hub: EventHub) {
        self.store = store
        self.options = options
        self.group = group
        self.hub = hub
        inspector = Inspector(isOn: options.inspect)
    }

    /// Opens the tunnels for the configuration the watcher started from.
    func start(config: ConfigFile, mappings: [Mapping]) async {
        self.config = config
        if let filter = options.profileFilter, !config.profiles.contains(where: { $0.name == filter }),
           !(filter == EngineSnapshot.embeddedTunnel && options.embeddedRelay != nil) {
            hub.emit(.error(mapping: nil, message: "no profile named '\(filter)': see `burrow profile ls`"))
        }
        await applyMappings(MappingChange.diff(from: [], to: mappings), now: mappings)
    }

    /// Reports a `mappings.json` that stopped parsing (the last good mappings stay in force).
    func mappingsInvalid(_ error: ConfigError) {
        hub.emit(.error(mapping: nil, message: error.description))
    }

    /// `mappings.json` changed: each change goes to the tunnel it concerns
    /// (a mapping moving between tunnels leaves the old one before the new
    /// one registers it).
    func applyMappings(_ changes: [MappingChange], now: [Mapping]) async {
        guard !stopped else { return }
        mappings = now
        for change in changes {
            switch change {
            case .removed(let mapping):
                await tunnels[tunnelName(for: mapping)]?.remove(mapping.name)
            case .added(let mapping):
                await tunnel(for: mapping)?.apply(mapping)
            case .changed(let old, let new):
                let from = tunnelName(for: old)
                let to = tunnelName(for: new)
                if from != to { await tunnels[from]?.remove(old.name, movedTo: to) }
                await tunnel(for: new)?.apply(new)
            }
        }
        await dropEmptyTunnels()
    }

    /// `config.json` changed: a profile whose relay, user or key changed gets
    /// a new tunnel, and mappings follow a newly selected profile. Tunnels
    /// whose profile did not change are not touched.
    func applyConfig(_ fresh: ConfigFile) async {
        guard !stopped, fresh != config else { return }
        let before = Dictionary(mappings.map { ($0.name, tunnelName(for: $0)) }, uniquingKeysWith: { first, _ in first })
        config = fresh
        let rebuilt = Set(tunnels.keys.filter { tunnelProfiles[$0] != fresh.profile(named: $0) })
        for mapping in mappings {
            guard let from = before[mapping.name] else { continue }
            let to = tunnelName(for: mapping)
            if from != to || rebuilt.contains(from) {
                await tunnels[from]?.remove(mapping.name, movedTo: from == to ? nil : to)
            }
        }
        for name in rebuilt {
            tunnels[name] = nil
            tunnelProfiles[name] = nil
        }
        for mapping in mappings {
            let to = tunnelName(for: mapping)
            if before[mapping.name] != to || rebuilt.contains(to) { await tunnel(for: mapping)?.apply(mapping) }
        }
        await dropEmptyTunnels()
    }

    /// The tunnel a mapping goes through, made if needed; nil if `--profile` leaves it out.
    private func tunnel(for mapping: Mapping) -> FleetTunnel? {
        let name = tunnelName(for: mapping)
        if let filter = options.profileFilter, name != filter { return nil }
        if let existing = tunnels[name] { return existing }
        let tunnel = makeTunnel(name)
        tunnels[name] = tunnel
        tunnelProfiles[name] = config.profile(named: name)
        return tunnel
    }

    private func dropEmptyTunnels() async {
        for (name, tunnel) in tunnels where await tunnel.isEmpty {
            tunnels[name] = nil
            tunnelProfiles[name] = nil
        }
    }

    /// The tunnels in the order their first mapping appears in `mappings.json`.
    private var tunnelOrder: [String] {
        var seen = Set<String>()
        return mappings.map(tunnelName(for:)).filter { tunnels[$0] != nil && seen.insert($0).inserted }
    }

    /// The tunnel a mapping goes through: its profile, else the selected
    /// profile, else the embedded relay.
    private func tunnelName(for mapping: Mapping) -> String {
        EngineCore.tunnelName(for: mapping, config: config)
    }

    static func tunnelName(for mapping: Mapping, config: ConfigFile) -> String {
        mapping.profile ?? config.selectedProfile ?? EngineSnapshot.embeddedTunnel
    }
    /// The tunnel of `name`: one member per relay of the profile's fleet (one
    /// for a profile without a fleet, the embedded relay, or a tunnel that cannot run).
    private func makeTunnel(_ name: String) -> FleetTunnel {
        let (group, hub, inspector, ping) = (group, hub, inspector, options.keepaliveInterval)
        if let profile = config.profiles.first(where: { $0.name == name }) {
            do {
                let identity = try store.identity(for: profile)
                let knownRelays = store.knownRelaysPath
                let connections = options.connections ?? profile.connections ?? ConnectionCount.default
                return FleetTunnel(name: name, relays: profile.members, followsFleet: true, hub: hub, inspector: inspector) {
                    endpoint, router, role in
                    let (host, port) = (try? Profile.parseEndpoint(endpoint)) ?? (profile.host, profile.sshPort)
                    let target = TunnelTarget(
                        name: name, host: host, port: port, user: profile.user, identity: identity,
                        hostKeyPolicy: .knownRelays(path: knownRelays, host: host, port: port),
                        relayDescription: endpoint)
                    return Tunnel(target: target, group: group, hub: hub, pingInterval: ping, inspector: inspector,
                                  router: router, role: role, connections: connections)
                }
            } catch {
                hub.emit(.error(mapping: nil, message: "profile '\(name)': \(error.description)"))
                return unavailable(name, relay: profile.endpoint, reason: error.description)
            }
        }
        if name == EngineSnapshot.embeddedTunnel, let embedded = options.embeddedRelay {
            let relay = "embedded relay on \(embedded.host):\(embedded.httpPort)"
            do {
                let identity = try store.identity(for: nil)
                let target = TunnelTarget(
                    name: name, host: embedded.host, port: embedded.sshPort, user: Profile.defaultUser,
                    identity: identity, hostKeyPolicy: .exact(keyLine: embedded.hostKeyLine), relayDescription: relay)
                let connections = options.connections ?? ConnectionCount.default
                return FleetTunnel(name: name, relays: [relay], followsFleet: false, hub: hub, inspector: inspector) {
                    _, router, _ in
                    Tunnel(target: target, group: group, hub: hub, pingInterval: ping, inspector: inspector, router: router,
                           connections: connections)
                }
            } catch {
                hub.emit(.error(mapping: nil, message: error.description))
                return unavailable(name, relay: relay, reason: error.description)
            }
        }
        let reason = name == EngineSnapshot.embeddedTunnel
            ? "no relay configured: add one with `burrow profile add`, or run `burrow up` to start the embedded relay"
            : "no profile named '\(name)': add it with `burrow profile add \(name) HOST`"
        hub.emit(.error(mapping: nil, message: reason))
        return unavailable(name, relay: name, reason: reason)
    }

    /// A tunnel that cannot run (unknown profile, unreadable key…): it only lists its mappings.
    private func unavailable(_ name: String, relay: String, reason: String) -> FleetTunnel {
        let (group, hub, inspector) = (group, hub, inspector)
        return FleetTunnel(name: name, relays: [relay], followsFleet: false, hub: hub, inspector: inspector) { _, router, _ in
            Tunnel(unavailable: name, relay: relay, reason: reason, group: group, hub: hub, inspector: inspector, router: router)
        }
    }

    func sample() async {
        let now = WallClock.now()
        for tunnel in tunnels.values { await tunnel.sample(now: now) }
    }

    // MARK: Inspector

    /// The statistics of the HTTP mappings running in this engine, by mapping name.
    func httpMappingStats() async -> [(mapping: Mapping, stats: MappingStats)] {
        var found: [(mapping: Mapping, stats: MappingStats)] = []
        for tunnel in tunnels.values {
            found += await tunnel.mappingStats.filter { $0.mapping.protocol == .http }
        }
        return found
    }

    /// Whether `name` is an HTTP mapping of `mappings.json` (running or not).
    func isHTTPMapping(_ name: String) -> Bool {
        mappings.contains { $0.name == name && $0.protocol == .http }
    }

    func snapshot() async -> EngineSnapshot {
        let now = WallClock.now()
        var snapshot = EngineSnapshot(takenAt: now)
        var byName: [String: MappingSnapshot] = [:]
        for name in tunnelOrder {
            guard let tunnel = tunnels[name] else { continue }
            let part = await tunnel.snapshot(now: now)
            snapshot.tunnels.append(part.tunnel)
            for mapping in part.mappings { byName[mapping.mapping.name] = mapping }
        }
        snapshot.mappings = mappings.compactMap { byName[$0.name] }
        return snapshot
    }

    func stop() async {
        stopped = true
        // All tunnels drain together: the wait is the longest visitor's, not the sum.
        await withTaskGroup(of: Void.self) { group in
            for name in tunnelOrder {
                guard let tunnel = tunnels[name] else { continue }
                group.addTask { [drainTimeout = options.drainTimeout] in await tunnel.drain(timeout: drainTimeout) }
            }
        }
        for name in tunnelOrder {
            await tunnels[name]?.stop()
        }
    }
}
