import BurrowConfig
import BurrowCore
import NIOCore

/// The engine's mutable heart: which mappings exist (in `mappings.json`
/// order), which tunnel each one goes through, and the tunnels themselves.
actor EngineCore {
    private let store: ConfigStore
    private let options: EngineOptions
    private let group: any EventLoopGroup
    private let hub: EventHub

    private var config = ConfigFile()
    private var mappings: [Mapping] = []
    private var tunnels: [String: Tunnel] = [:]
    /// The profile each tunnel was built from (nil: the embedded relay or an unavailable tunnel).
    private var tunnelProfiles: [String: Profile?] = [:]
    private var tunnelOrder: [String] = []
    private var stopped = false

    init(store: ConfigStore, options: EngineOptions, group: any EventLoopGroup, hub: EventHub) {
        self.store = store
        self.options = options
        self.group = group
        self.hub = hub
    }

    /// Loads config and mappings and opens the tunnels; returns the mappings
    /// applied (the watcher's starting point).
    func start() async -> [Mapping] {
        do {
            config = try store.loadConfig()
        } catch {
            hub.emit(.error(mapping: nil, message: error.description))
        }
        if let filter = options.profileFilter, !config.profiles.contains(where: { $0.name == filter }),
           !(filter == EngineSnapshot.embeddedTunnel && options.embeddedRelay != nil) {
            hub.emit(.error(mapping: nil, message: "no profile named '\(filter)': see `burrow profile ls`"))
        }
        await reloadMappings()
        return mappings
    }

    /// Rereads `config.json`; a profile whose relay, user or key changed gets
    /// a new tunnel, and mappings follow a newly selected profile. Tunnels
    /// whose profile did not change are not touched.
    func reloadConfig() async {
        guard !stopped, let fresh = try? store.loadConfig(), fresh != config else { return }
        config = fresh
        for (name, tunnel) in tunnels where tunnelProfiles[name] != fresh.profile(named: name) {
            await tunnel.apply([], destinations: destinations())
            tunnels[name] = nil
            tunnelProfiles[name] = nil
        }
        await applyAll()
    }

    /// Reports a `mappings.json` that stopped parsing (the last good mappings stay in force).
    func mappingsInvalid(_ error: ConfigError) {
        hub.emit(.error(mapping: nil, message: error.description))
    }

    /// Rereads `mappings.json` and applies the difference.
    func reloadMappings() async {
        guard !stopped else { return }
        do {
            mappings = try store.loadMappings().mappings
        } catch {
            // A file being edited by hand may not parse: keep serving what we have.
            hub.emit(.error(mapping: nil, message: error.description))
            return
        }
        await applyAll()
    }

    private func applyAll() async {
        var wanted: [String: [Mapping]] = [:]
        var order: [String] = []
        for mapping in mappings {
            let tunnel = tunnelName(for: mapping)
            if let filter = options.profileFilter, tunnel != filter { continue }
            if wanted[tunnel] == nil { order.append(tunnel) }
            wanted[tunnel, default: []].append(mapping)
        }
        // Tunnels losing mappings first (a mapping moving between tunnels is
        // removed from the old one before the new one registers it).
        for name in tunnelOrder where wanted[name] == nil {
            if let tunnel = tunnels[name] {
                await tunnel.apply([], destinations: destinations())
                tunnels[name] = nil
                tunnelProfiles[name] = nil
            }
        }
        for name in order {
            let tunnel: Tunnel
            if let existing = tunnels[name] {
                tunnel = existing
            } else {
                tunnel = makeTunnel(name)
                tunnels[name] = tunnel
                tunnelProfiles[name] = config.profile(named: name)
            }
            await tunnel.apply(wanted[name] ?? [], destinations: destinations())
        }
        tunnelOrder = order
    }

    /// The tunnel each mapping now goes through, by mapping name.
    private func destinations() -> [String: String] {
        Dictionary(mappings.map { ($0.name, tunnelName(for: $0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// The tunnel a mapping goes through: its profile, else the selected
    /// profile, else the embedded relay.
    private func tunnelName(for mapping: Mapping) -> String {
        EngineCore.tunnelName(for: mapping, config: config)
    }

    static func tunnelName(for mapping: Mapping, config: ConfigFile) -> String {
        mapping.profile ?? config.selectedProfile ?? EngineSnapshot.embeddedTunnel
    }

    private func makeTunnel(_ name: String) -> Tunnel {
        if let profile = config.profiles.first(where: { $0.name == name }) {
            do {
                let identity = try store.identity(for: profile)
                let target = TunnelTarget(
                    name: name, host: profile.host, port: profile.sshPort, user: profile.user, identity: identity,
                    hostKeyPolicy: .knownRelays(path: store.knownRelaysPath, host: profile.host, port: profile.sshPort),
                    relayDescription: profile.endpoint)
                return Tunnel(target: target, group: group, hub: hub, pingInterval: options.keepaliveInterval)
            } catch {
                hub.emit(.error(mapping: nil, message: "profile '\(name)': \(error.description)"))
                return Tunnel(unavailable: name, relay: profile.endpoint, reason: error.description, group: group, hub: hub)
            }
        }
        if name == EngineSnapshot.embeddedTunnel, let embedded = options.embeddedRelay {
            let relay = "embedded relay on \(embedded.host):\(embedded.httpPort)"
            do {
                let identity = try store.identity(for: nil)
                let target = TunnelTarget(
                    name: name, host: embedded.host, port: embedded.sshPort, user: Profile.defaultUser,
                    identity: identity, hostKeyPolicy: .exact(keyLine: embedded.hostKeyLine), relayDescription: relay)
                return Tunnel(target: target, group: group, hub: hub, pingInterval: options.keepaliveInterval)
            } catch {
                hub.emit(.error(mapping: nil, message: error.description))
                return Tunnel(unavailable: name, relay: relay, reason: error.description, group: group, hub: hub)
            }
        }
        let reason = name == EngineSnapshot.embeddedTunnel
            ? "no relay configured: add one with `burrow profile add`, or run `burrow up` to start the embedded relay"
            : "no profile named '\(name)': add it with `burrow profile add \(name) HOST`"
        hub.emit(.error(mapping: nil, message: reason))
        return Tunnel(unavailable: name, relay: name, reason: reason, group: group, hub: hub)
    }

    func sample() async {
        let now = WallClock.now()
        for tunnel in tunnels.values { await tunnel.sample(now: now) }
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
