import BurrowCore
import NIOCore
import NIOSSH

/// One tunnel: the SSH connection to one relay (a profile, or the embedded
/// relay) and the mappings registered on it. It keeps itself connected
/// (exponential backoff with jitter), re-registers every enabled mapping after
/// a reconnect, and applies mapping changes one by one so that adding or
/// removing a mapping never disturbs another's visitors.
///
/// Connection-set design: a tunnel owns one `SSHTunnelConnection` today;
/// everything per connection (router, registration, pings) is keyed by the
/// connection object so a later version can hold several and spread visitors.
actor Tunnel {
    let name: String
    let relayDescription: String

    private let target: TunnelTarget?
    private let unavailableReason: String?
    private let group: any EventLoopGroup
    private let hub: EventHub
    private let router = Router()
    private let backoff = Backoff()
    private let pingInterval: Duration

    private struct Entry {
        var mapping: Mapping
        var stats = MappingStats()
        var state: MappingState
        var url: PublicURL?
        var boundPort: Int?
        /// Bumped whenever a registration starts, so stale replies are ignored.
        var generation = 0
        var granted = false

        var requestedPort: Int {
            switch mapping.protocol {
            case .http: return MappingProtocol.httpBindPort
            case .tls: return MappingProtocol.tlsBindPort
            case .tcp, .udp: return mapping.remotePort ?? 0
            }
        }

        /// The port a `cancel-tcpip-forward` must name: the one the relay
        /// bound for tcp and udp (it may have chosen it), else the requested one.
        var cancelPort: Int {
            switch mapping.protocol {
            case .tcp, .udp: return boundPort ?? requestedPort
            case .http, .tls: return requestedPort
            }
        }

        /// True while the relay may hold a forward for this entry.
        var holdsForward: Bool { mapping.enabled && (granted || state == .online) }

        var route: Route {
            Route(mapping: mapping.name, protocol: mapping.protocol, local: mapping.local, stats: stats,
                  proxyProtocol: mapping.proxyProtocol)
        }
    }

    private var entries: [String: Entry] = [:]
    private var state: TunnelState
    private var connection: SSHTunnelConnection?
    /// True once the connection may register forwards (welcomed, or no control session).
    private var ready = false
    private var controlAvailable = false
    private var rttMs: Double?
    private var connectedSince: Double?
    private var reconnects = 0
    private var everConnected = false
    private var domain: String?
    private var runTask: Task<Void, Never>?
    private var connectionTasks: [Task<Void, Never>] = []
    private var pings: [Int: ContinuousClock.Instant] = [:]
    private var nextPingID = 0
    private var lastLocalRefusal: [String: ContinuousClock.Instant] = [:]
    /// `register`s waiting for the relay's answer, by request id (echoed by the relay).
    private var registrationWaiters: [Int: (name: String, continuation: CheckedContinuation<String?, Never>)] = [:]
    private var nextRegistrationID = 0
    /// `cancel-tcpip-forward`s in flight, by mapping name: a new forward for
    /// the same name waits for its cancel so the relay never sees them crossed.
    private var pendingCancels: [String: Task<Void, Never>] = [:]

    init(target: TunnelTarget, group: any EventLoopGroup, hub: EventHub, pingInterval: Duration = .seconds(5)) {
        self.name = target.name
        self.relayDescription = target.relayDescription
        self.target = target
        self.unavailableReason = nil
        self.group = group
        self.hub = hub
        self.pingInterval = pingInterval
        self.state = .offline(reason: "not started")
    }

    /// A tunnel that cannot run (unknown profile, unreadable key…): it only lists its mappings.
    init(unavailable name: String, relay: String, reason: String, group: any EventLoopGroup, hub: EventHub) {
        self.name = name
        self.relayDescription = relay
        self.target = nil
        self.unavailableReason = reason
        self.group = group
        self.hub = hub
        self.pingInterval = .seconds(5)
        self.state = .offline(reason: reason)
    }

    var isEmpty: Bool { entries.isEmpty }

    // MARK: Mappings

    /// Makes this tunnel serve exactly `mappings` (enabled or not), changing
    /// only what differs.
    /// `destinations`: the tunnel each mapping of the file now goes through,
    /// so a mapping leaving this tunnel is reported as moved, not removed.
    func apply(_ mappings: [Mapping], destinations: [String: String] = [:]) async {
        let wanted = Dictionary(mappings.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in entries.keys where wanted[name] == nil {
            remove(name, movedTo: destinations[name].flatMap { $0 == self.name ? nil : $0 })
        }
        for mapping in mappings {
            if let entry = entries[mapping.name] {
                if entry.mapping != mapping { update(entry, to: mapping) }
            } else {
                add(mapping)
            }
        }
        let anyEnabled = entries.values.contains { $0.mapping.enabled }
        if anyEnabled && runTask == nil {
            start()
        } else if !anyEnabled && runTask != nil {
            await stop(reason: "no enabled mappings")
        }
    }

    private func add(_ mapping: Mapping) {
        entries[mapping.name] = Entry(mapping: mapping, state: mapping.enabled ? .pending : .disabled)
        if mapping.enabled { register(mapping.name) }
    }

    private func remove(_ name: String, movedTo tunnel: String?) {
        guard let entry = entries.removeValue(forKey: name) else { return }
        unregister(entry)
        if let tunnel {
            hub.emit(.moved(mapping: name, tunnel: tunnel))
        } else {
            hub.emit(.removed(mapping: name))
        }
    }

    private func update(_ current: Entry, to mapping: Mapping) {
        var entry = current
        let old = entry.mapping
        entry.mapping = mapping
        let sameForward = old.protocol == mapping.protocol && old.remotePort == mapping.remotePort
            && MappingRegistration(old) == MappingRegistration(mapping)
        switch (old.enabled, mapping.enabled) {
        case (true, true) where sameForward:
            // Only the local side changed: new visitors go to the new address,
            // open ones keep theirs.
            entries[mapping.name] = entry
            router.set(entry.route, for: mapping.name)
            if entry.state == .online, let url = entry.url {
                hub.emit(.online(mapping: mapping.name, url: url, local: mapping.local))
            }
        case (true, true):
            // Withdraw the forward as it was registered (the old port), not as it will be.
            unregister(current)
            entry.state = .pending
            entry.url = nil
            entry.granted = false
            entry.boundPort = nil
            entries[mapping.name] = entry
            register(mapping.name)
        case (true, false):
            // `current` still says enabled: withdrawing `entry` (already
            // disabled) sent no cancel, the relay kept the forward and the
            // next enable was refused as "already forwarded on this connection".
            unregister(current)
            entry.state = .disabled
            entry.granted = false
            entries[mapping.name] = entry
            hub.emit(.disabled(mapping: mapping.name))
        case (false, true):
            entry.state = .pending
            entries[mapping.name] = entry
            register(mapping.name)
        case (false, false):
            entries[mapping.name] = entry
        }
    }

    /// Sends `tcpip-forward` for one mapping if the connection is ready;
    /// otherwise it is sent when the connection becomes ready.
    private func register(_ name: String) {
        guard var entry = entries[name], entry.mapping.enabled else { return }
        router.set(entry.route, for: name)
        guard let connection, ready else { return }
        entry.generation += 1
        entry.granted = false
        entry.state = .pending
        entries[name] = entry
        let generation = entry.generation
        let port = entry.requestedPort
        let registration = MappingRegistration(entry.mapping)
        let needsRelayRules = entry.mapping.hasAccessRules || entry.mapping.protocol == .udp
        let control = controlAvailable
        Task {
            // The relay learns the mapping's kind and rules before its forward.
            if control {
                if let reason = await self.registerWithRelay(registration, on: connection), needsRelayRules {
                    self.registrationFailed(name, generation: generation, reason: reason, on: connection)
                    return
                }
            } else if needsRelayRules {
                self.registrationFailed(
                    name, generation: generation,
                    reason: "relay \(self.relayDescription) is not a Burrow relay: it cannot enforce access rules or carry UDP",
                    on: connection)
                return
            }
            await self.pendingCancels[name]?.value
            do {
                let bound = try await connection.forward(host: name, port: port)
                self.granted(name, generation: generation, boundPort: bound, on: connection)
            } catch {
                await self.forwardFailed(name, generation: generation, error: error, on: connection)
            }
        }
    }

    private func unregister(_ entry: Entry) {
        router.remove(entry.mapping.name)
        guard entry.holdsForward, let connection else { return }
        let host = entry.mapping.name
        let port = entry.cancelPort
        let previous = pendingCancels[host]
        pendingCancels[host] = Task {
            await previous?.value
            try? await connection.cancel(host: host, port: port)
        }
    }

    private func granted(_ name: String, generation: Int, boundPort: Int?, on connection: SSHTunnelConnection) {
        guard connection === self.connection, var entry = entries[name], entry.generation == generation else { return }
        entry.granted = true
        if let boundPort, boundPort > 0 { entry.boundPort = boundPort }
        if entry.state != .online && !controlAvailable, let target {
            // A relay without burrow-control (a stock sshd): the URL is what SSH says.
            let port = entry.boundPort ?? entry.requestedPort
            let url = PublicURL.forMapping(entry.mapping.protocol, name: name, domain: target.host, publicHost: target.host, port: port)
            entry.url = url
            entry.state = .online
            entries[name] = entry
            hub.emit(.online(mapping: name, url: url, local: entry.mapping.local))
            return
        }
        entries[name] = entry
    }

    private func forwardFailed(_ name: String, generation: Int, error: any Error, on connection: SSHTunnelConnection) async {
        // The relay sends the reason on the control channel just before the
        // failure, but NIOSSH may hand the failure over first (child channel
        // reads are delivered in batches): wait for it, up to half a second.
        let reason = controlAvailable
            ? await connection.refusals.reason(for: name, within: .milliseconds(500))
            : connection.refusals.take(name)
        guard connection === self.connection, connection.channel.isActive,
              var entry = entries[name], entry.generation == generation else { return }
        let unexplained = (error as? NIOSSHError)?.type == .globalRequestRefused
            ? "relay \(relayDescription) refused \(entry.mapping.protocol) mapping '\(name)' (it gave no reason)"
            : "cannot register mapping '\(name)': \(SSHTunnelConnection.describe(error))"
        entry.state = .refused(reason: reason ?? unexplained)
        entry.granted = false
        entries[name] = entry
        hub.emit(.error(mapping: name, message: reason ?? unexplained))
    }

    // MARK: Registration (kind and access rules, before the forward)

    /// Sends `register` and waits (up to 10 s: a loaded relay may be slow)
    /// for the answer; nil = accepted, else the reason it was not.
    private func registerWithRelay(_ registration: MappingRegistration, on connection: SSHTunnelConnection) async -> String? {
        let name = registration.name
        nextRegistrationID += 1
        let id = nextRegistrationID
        return await withCheckedContinuation { continuation in
            for (older, waiter) in registrationWaiters where waiter.name == name {
                registrationWaiters[older] = nil
                waiter.continuation.resume(returning: "superseded by a newer registration")
            }
            registrationWaiters[id] = (name, continuation)
            connection.send(.register(registration, requestID: id))
            Task {
                try? await Task.sleep(for: .seconds(10))
                self.resolveRegistration(id: id, name: name, failure: "relay \(self.relayDescription) did not confirm the mapping's rules")
            }
        }
    }

    /// Resolves the `register` the relay answered: by the id it echoed, or
    /// (a relay that predates ids) the one waiting for that name.
    private func resolveRegistration(id: Int?, name: String, failure: String?) {
        let key = id ?? registrationWaiters.first(where: { $0.value.name == name })?.key
        guard let key, let waiter = registrationWaiters[key], waiter.name == name else { return }
        registrationWaiters[key] = nil
        waiter.continuation.resume(returning: failure)
    }

    private func registrationFailed(_ name: String, generation: Int, reason: String, on connection: SSHTunnelConnection) {
        guard connection === self.connection, var entry = entries[name], entry.generation == generation else { return }
        entry.state = .refused(reason: reason)
        entry.granted = false
        entries[name] = entry
        hub.emit(.error(mapping: name, message: reason))
    }

    // MARK: Connection lifecycle

    private func start() {
        guard target != nil else {
            state = .offline(reason: unavailableReason ?? "unavailable")
            return
        }
        runTask = Task { await self.run() }
    }

    /// Graceful stop, first step: withdraws every forward (the relay sends no
    /// new visitors), then waits until the open visitors are done or
    /// `timeout` passes. The caller closes the tunnel afterwards.
    func drain(timeout: Duration) async {
        guard let connection else { return }
        for entry in entries.values where entry.holdsForward {
            try? await connection.cancel(host: entry.mapping.name, port: entry.cancelPort)
        }
        let open = { self.entries.values.reduce(0) { $0 + $1.stats.openVisitorCount } }
        guard open() > 0 else { return }
        hub.emit(.notice("stopping: letting \(open()) open visitor connection(s) finish (up to \(timeout))"))
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while open() > 0, ContinuousClock.now < deadline, connection.channel.isActive {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if open() > 0 {
            hub.emit(.error(mapping: nil, message: "drain timeout (\(timeout)) reached: closing \(open()) visitor connection(s) still open"))
        }
    }

    /// Closes the connection (waiting until it is closed) and stops reconnecting.
    func stop(reason: String = "stopped") async {
        runTask?.cancel()
        runTask = nil
        if let connection {
            try? await connection.channel.close()
        }
        if target != nil {
            state = .offline(reason: reason)
            hub.emit(.offline(tunnel: name, reason: reason))
        }
    }

    private func run() async {
        guard let target else { return }
        var attempt = 0
        while !Task.isCancelled {
            state = .connecting
            hub.emit(.connecting(tunnel: name, relay: relayDescription))
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
                reason = await serve(connection)
                // A connection that lived a while earns a fresh backoff.
                if ContinuousClock.now - started > .seconds(10) { attempt = 0 }
            } catch let error as TunnelError {
                reason = error
            } catch {
                reason = .connectionClosed(SSHTunnelConnection.describe(error))
            }
            if Task.isCancelled { return }
            if case .hostKeyChanged = reason {
                state = .offline(reason: "relay host key changed")
                hub.emit(.error(mapping: nil, message: reason.description))
                hub.emit(.offline(tunnel: name, reason: "relay host key changed; connection refused"))
                runTask = nil
                return
            }
            let delay = backoff.delay(attempt: attempt)
            attempt += 1
            state = .reconnecting(retryAt: WallClock.now() + delay, reason: reason.description)
            hub.emit(.reconnecting(tunnel: name, retryInSeconds: delay, reason: reason.description))
            try? await Task.sleep(for: .seconds(delay))
        }
    }

    /// Runs one connection until it ends; returns why it ended.
    private func serve(_ connection: SSHTunnelConnection) async -> TunnelError {
        self.connection = connection
        ready = false
        controlAvailable = false
        pings = [:]
        connectedSince = WallClock.now()
        if everConnected { reconnects += 1 }
        everConnected = true
        state = .online
        hub.emit(.connected(tunnel: name, relay: relayDescription))

        connectionTasks = [
            Task {
                for await message in connection.messages {
                    self.handle(message, on: connection)
                }
                self.controlEnded(on: connection)
            },
            Task {
                // A relay that never welcomes us still gets our forwards.
                try? await Task.sleep(for: .seconds(3))
                self.becomeReady(on: connection)
            },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.pingInterval)
                    if Task.isCancelled { return }
                    self.ping(on: connection)
                }
            },
        ]

        let reason = await connection.closed()
        for (id, waiter) in registrationWaiters {
            registrationWaiters[id] = nil
            waiter.continuation.resume(returning: "the connection closed")
        }
        for task in connectionTasks { task.cancel() }
        connectionTasks = []
        pendingCancels = [:]
        self.connection = nil
        ready = false
        connectedSince = nil
        rttMs = nil
        for (name, var entry) in entries where entry.mapping.enabled {
            entry.granted = false
            if case .refused = entry.state {} else { entry.state = .pending }
            entries[name] = entry
        }
        return reason
    }

    private func becomeReady(on connection: SSHTunnelConnection) {
        guard connection === self.connection, !ready else { return }
        ready = true
        for name in entries.keys.sorted() where entries[name]?.mapping.enabled == true {
            register(name)
        }
    }

    private func handle(_ message: RelayMessage, on connection: SSHTunnelConnection) {
        guard connection === self.connection else { return }
        switch message {
        case .welcome(_, let domain):
            self.domain = domain
            controlAvailable = true
            becomeReady(on: connection)
            ping(on: connection)  // a first RTT right away, then every `pingInterval`
        case .forwarded(let bindHost, _, let boundPort, let url):
            guard var entry = entries[bindHost], entry.mapping.enabled else { return }
            entry.url = url
            if boundPort > 0 { entry.boundPort = boundPort }
            let wasOnline = entry.state == .online
            entry.state = .online
            entries[bindHost] = entry
            if !wasOnline { hub.emit(.online(mapping: bindHost, url: url, local: entry.mapping.local)) }
        case .refused(let bindHost, let bindPort, let reason, let requestID):
            // bindPort 0 from `register`; forwards' refusals are recorded by
            // the control handler in the connection's RefusalBook.
            if bindPort == 0 { resolveRegistration(id: requestID, name: bindHost, failure: reason) }
        case .registered(let name, let requestID):
            resolveRegistration(id: requestID, name: name, failure: nil)
        case .requestRefused(let request):
            entries[request.name]?.stats.requestRefusedByRelay(request)
        case .notice(let text):
            hub.emit(.error(mapping: nil, message: "relay \(relayDescription) says: \(text)"))
        case .pong(let id):
            if let sent = pings.removeValue(forKey: id) {
                let elapsed = ContinuousClock.now - sent
                rttMs = Double(TimeAmount(elapsed).nanoseconds) / 1e6
            }
        }
    }

    private func controlEnded(on connection: SSHTunnelConnection) {
        guard connection === self.connection else { return }
        if controlAvailable {
            // The relay's control session is gone: this connection is no longer trustworthy.
            connection.close()
        } else {
            becomeReady(on: connection)
        }
    }

    private func ping(on connection: SSHTunnelConnection) {
        guard connection === self.connection, controlAvailable else { return }
        if pings.count >= 3 {
            hub.emit(.error(mapping: nil, message: "relay \(relayDescription) stopped answering pings; reconnecting"))
            connection.close()
            return
        }
        nextPingID += 1
        pings[nextPingID] = ContinuousClock.now
        connection.send(.ping(id: nextPingID))
    }

    private func localRefused(_ mapping: String, local: LocalAddress, error: any Error) {
        let now = ContinuousClock.now
        if let last = lastLocalRefusal[mapping], now - last < .seconds(2) { return }
        lastLocalRefusal[mapping] = now
        let http = entries[mapping]?.mapping.protocol == .http
        hub.emit(.error(mapping: mapping, message: "the local service on \(local) refused the connection (\(SSHTunnelConnection.describe(error)))"
            + (http ? "; visitors get a 502 page" : "; the visitor was disconnected")))
    }

    // MARK: Statistics

    func sample(now: Double) {
        for entry in entries.values { entry.stats.sample(now: now) }
    }

    func snapshot(now: Double) -> (tunnel: TunnelSnapshot, mappings: [MappingSnapshot]) {
        let tunnel = TunnelSnapshot(profile: name, relay: relayDescription, state: state, rttMs: rttMs,
                                    connectedSince: connectedSince, reconnects: reconnects, domain: domain)
        let mappings = entries.values.map { entry in
            var snapshot = MappingSnapshot(mapping: entry.mapping, tunnel: name, state: entry.state,
                                           publicURL: entry.url)
            entry.stats.fill(&snapshot, now: now)
            return snapshot
        }
        return (tunnel, mappings)
    }
}
