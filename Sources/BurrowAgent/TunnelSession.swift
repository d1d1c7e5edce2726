import BurrowCore
import NIOCore
import NIOSSH

/// One SSH connection of a tunnel, from the moment it is authenticated until
/// it closes: it owns the connection, the registration of every mapping on it
/// (a `RegistrationStateMachine` each, performing what they return), the
/// connection's request ids, readiness (welcomed, or no control session) and
/// the keepalive pings. A new connection gets a new session, so nothing of an
/// old connection can touch a new one.
actor TunnelSession {
    typealias Machine = RegistrationStateMachine

    private enum Phase {
        /// Waiting for the relay's welcome (or 3 s, or the control session's end).
        case waiting
        /// Forwards may be registered.
        case ready
        /// A graceful stop withdrew every forward: nothing new is registered.
        case withdrawn
        /// The connection closed: answers that still arrive change nothing visible.
        case ended
    }

    nonisolated let connection: SSHTunnelConnection

    private let relayHost: String
    private let relayDescription: String
    private let router: Router
    private let hub: EventHub
    private let pingInterval: Duration
    private let onFleet: (@Sendable ([String]) -> Void)?
    /// False for a tunnel's second (third…) connection: the first one says
    /// what happens to mappings (online, refused, https) and the relay's news,
    /// so each is said once however many connections carry it (warnings, such
    /// as a visitor limit hit on this connection, are said by each).
    private let announces: Bool

    private var machines: [String: Machine] = [:]
    private var ids = Machine.RequestIDs()
    private var phase = Phase.waiting
    private var controlAvailable = false
    private var tasks: [Task<Void, Never>] = []
    private var registerTimers: [Int: Task<Void, Never>] = [:]
    /// `cancel-tcpip-forward`s in flight, by mapping name (a graceful stop waits for them).
    private var cancels: [String: Task<Void, Never>] = [:]
    private var pings: [Int: ContinuousClock.Instant] = [:]
    private var nextPingID = 0
    private var rttMs: Double?
    private var domain: String?
    /// Pooled mappings' pools as the relay reported them.
    private var pools: [String: PoolSize] = [:]
    /// Pooled mappings whose local service refused: probed until it answers.
    private var serviceProbes: [String: Task<Void, Never>] = [:]

    /// `mappings`: every mapping of the tunnel (enabled or not); `refusals`:
    /// the reasons the previous connection's relay gave, shown until each
    /// mapping is registered again.
    init(connection: SSHTunnelConnection, target: TunnelTarget, mappings: [Mapping], refusals: [String: String],
         router: Router, hub: EventHub, pingInterval: Duration, onFleet: (@Sendable ([String]) -> Void)? = nil,
         announces: Bool = true) {
        self.onFleet = onFleet
        self.announces = announces
        self.connection = connection
        self.relayHost = target.host
        self.relayDescription = target.relayDescription
        self.router = router
        self.hub = hub
        self.pingInterval = pingInterval
        for mapping in mappings {
            machines[mapping.name] = Machine(mapping: mapping, refused: mapping.enabled ? refusals[mapping.name] : nil)
        }
    }

    /// What this connection offers a registration, ready or not.
    private var connectionLink: Machine.Link {
        Machine.Link(control: controlAvailable, relayHost: relayHost, relayDescription: relayDescription)
    }

    /// The link new registrations use: nil until the connection is ready.
    private var link: Machine.Link? { phase == .ready ? connectionLink : nil }

    // MARK: Running

    /// Serves the connection until it closes; returns why, and the refusals
    /// to carry over to the next connection.
    func run() async -> (reason: TunnelError, refusals: [String: String]) {
        let connection = self.connection
        tasks = [
            Task {
                for await message in connection.messages {
                    self.handle(message)
                }
                self.controlEnded()
            },
            Task {
                // A relay that never welcomes us still gets our forwards.
                try? await Task.sleep(for: .seconds(3))
                if !Task.isCancelled { self.becomeReady() }
            },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.pingInterval)
                    if Task.isCancelled { return }
                    self.ping()
                }
            },
        ]
        let reason = await connection.closed()
        phase = .ended
        for task in tasks + Array(registerTimers.values) + Array(serviceProbes.values) { task.cancel() }
        tasks = []
        serviceProbes = [:]
        registerTimers = [:]
        rttMs = nil
        return (reason, machines.compactMapValues(\.refusal))
    }

    // MARK: Mappings

    /// A mapping added or changed.
    func apply(_ mapping: Mapping) {
        if machines[mapping.name] == nil {
            machines[mapping.name] = Machine(mapping: mapping)
            if let link { perform(machines[mapping.name]?.connectionReady(link, ids: &ids) ?? [], for: mapping.name) }
        } else {
            perform(machines[mapping.name]?.change(to: mapping, link: link, ids: &ids) ?? [], for: mapping.name)
        }
    }

    func remove(_ name: String) {
        perform(machines[name]?.change(to: nil, link: link, ids: &ids) ?? [], for: name)
    }

    /// Graceful stop, first step: withdraws every forward (the relay sends no
    /// new visitors) and waits for the relay's answers.
    func withdrawAll() async {
        phase = .withdrawn
        for name in machines.keys.sorted() {
            perform(machines[name]?.withdraw() ?? [], for: name)
        }
        for cancel in cancels.values { await cancel.value }
    }

    struct Status: Sendable {
        var registrations: [String: (state: MappingState, url: PublicURL?, also: PublicURL?, https: HTTPSStatus?)]
        var rttMs: Double?
        var domain: String?
        var pools: [String: PoolSize] = [:]
    }

    /// What each mapping looks like on this connection, and the connection's round trip.
    func status() -> Status {
        Status(registrations: machines.compactMapValues { machine in
            machine.mapping == nil ? nil : (machine.mappingState, machine.publicURL, machine.alsoURL, machine.https)
        }, rttMs: rttMs, domain: domain, pools: pools)
    }

    // MARK: Performing transitions

    private func perform(_ actions: [Machine.Action], for name: String) {
        guard phase != .ended else { return }
        for action in actions {
            switch action {
            case .sendRegister(let registration, let id):
                connection.send(.register(registration, requestID: id))
                registerTimers[id] = Task {
                    // A loaded relay may be slow: 10 s before we give up on it.
                    try? await Task.sleep(for: .seconds(10))
                    if Task.isCancelled { return }
                    self.registerAnswered(name, requestID: id,
                                                failure: "relay \(self.relayDescription) did not confirm the mapping's rules")
                }
            case .sendForward(let port, let id):
                let connection = self.connection
                let control = controlAvailable
                Task {
                    do {
                        let bound = try await connection.forward(host: name, port: port)
                        self.forwardGranted(name, requestID: id, boundPort: bound)
                    } catch {
                        // The relay sends the reason on the control channel just before the
                        // failure, but NIOSSH may hand the failure over first: wait for it.
                        let reason = control
                            ? await connection.refusals.reason(for: name, within: .milliseconds(500))
                            : connection.refusals.take(name)
                        self.forwardFailed(name, requestID: id, reason: reason, error: error)
                    }
                }
            case .sendCancel(let port):
                // A withdrawn forward is no member of its pool any more.
                pools[name] = nil
                let connection = self.connection
                let previous = cancels[name]
                cancels[name] = Task {
                    await previous?.value
                    try? await connection.cancel(host: name, port: port)
                    self.cancelAnswered(name)
                }
            case .announceOnline where !announces, .announceHTTPS where !announces, .announceRefused where !announces:
                continue
            case .announceOnline(let url, let local, let also):
                hub.emit(.online(mapping: name, url: url, local: local, also: also))
            case .announceHTTPS(let status):
                if case .failed = status {
                    hub.emit(.error(mapping: name, message: status.description))
                } else {
                    hub.emit(.notice("\(name)  \(status)"))
                }
            case .announceRefused(let reason):
                hub.emit(.error(mapping: name, message: reason))
            case .forget:
                machines[name] = nil
                pools[name] = nil
            }
        }
    }

    private func registerAnswered(_ name: String, requestID: Int?, failure: String?) {
        if let requestID { registerTimers.removeValue(forKey: requestID)?.cancel() }
        perform(machines[name]?.registerAnswered(requestID: requestID, failure: failure) ?? [], for: name)
    }

    private func forwardGranted(_ name: String, requestID: Int, boundPort: Int?) {
        perform(machines[name]?.forwardGranted(requestID: requestID, boundPort: boundPort, link: connectionLink) ?? [], for: name)
    }

    private func forwardFailed(_ name: String, requestID: Int, reason: String?, error: any Error) {
        // A forward that failed because the connection closed was not refused.
        guard connection.channel.isActive, let mapping = machines[name]?.mapping else { return }
        let unexplained = (error as? NIOSSHError)?.type == .globalRequestRefused
            ? "relay \(relayDescription) refused \(mapping.protocol) mapping '\(name)' (it gave no reason)"
            : "cannot register mapping '\(name)': \(SSHTunnelConnection.describe(error))"
        perform(machines[name]?.forwardFailed(requestID: requestID, reason: reason ?? unexplained) ?? [], for: name)
    }

    private func cancelAnswered(_ name: String) {
        perform(machines[name]?.cancelAnswered(link: link, ids: &ids) ?? [], for: name)
    }

    // MARK: Control session and keepalive

    private func becomeReady() {
        guard phase == .waiting else { return }
        phase = .ready
        for name in machines.keys.sorted() {
            perform(machines[name]?.connectionReady(connectionLink, ids: &ids) ?? [], for: name)
        }
    }

    private func handle(_ message: RelayMessage) {
        switch message {
        case .welcome(_, let domain):
            self.domain = domain
            controlAvailable = true
            becomeReady()
            ping()  // a first RTT right away, then every `pingInterval`
        case .forwarded(let bindHost, _, let boundPort, let url, let also):
            perform(machines[bindHost]?.forwarded(url: url, boundPort: boundPort, alsoURL: also) ?? [], for: bindHost)
        case .refused(let bindHost, let bindPort, let reason, let requestID):
            // bindPort 0 answers `register`; forwards' refusals are recorded by
            // the control handler in the connection's RefusalBook.
            if bindPort == 0 { registerAnswered(bindHost, requestID: requestID, failure: reason) }
        case .registered(let name, let requestID):
            registerAnswered(name, requestID: requestID, failure: nil)
        case .pool(let name, let online, let members):
            pools[name] = PoolSize(online: online, members: members)
        case .fleet(let relays):
            onFleet?(relays)  // the tunnel's fleet adds (or later drops) members
        case .https(let name, let status):
            perform(machines[name]?.httpsChanged(status) ?? [], for: name)
        case .requestRefused(let request):
            router.route(host: request.name, port: 0)?.stats.requestRefusedByRelay(request)
        case .notice(_, let informational) where informational && !announces:
            break  // news (a shutdown…) reaches every connection: the first one says it
        case .notice(let text, let informational):
            let line = "relay \(relayDescription) says: \(text)"
            hub.emit(informational ? .notice(line) : .error(mapping: nil, message: line))
        case .pong(let id):
            if let sent = pings.removeValue(forKey: id) {
                rttMs = Double(TimeAmount(ContinuousClock.now - sent).nanoseconds) / 1e6
            }
        }
    }

    /// The local service of the pooled mapping `name` refused a dial: the
    /// relay is told (its member leaves the rotation) and the service is
    /// probed every second until it answers, then the relay is told it is up.
    func serviceDown(_ name: String, local: LocalAddress) {
        guard controlAvailable, phase != .ended, serviceProbes[name] == nil else { return }
        connection.send(.service(name: name, up: false))
        let connection = self.connection
        serviceProbes[name] = Task {
            // Bounded by the connection: `run` cancels the probe when it ends.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { return }
                if await LocalProbe.answers(local, on: connection.channel.eventLoop) {
                    self.serviceUp(name)
                    return
                }
            }
        }
    }

    private func serviceUp(_ name: String) {
        serviceProbes[name] = nil
        guard phase != .ended else { return }
        connection.send(.service(name: name, up: true))
        guard announces else { return }
        hub.emit(.notice("\(name)  the local service answers again; back in the relay's pool"))
    }

    private func controlEnded() {
        if controlAvailable {
            // The relay's control session is gone: this connection is no longer trustworthy.
            connection.close()
        } else {
            becomeReady()
        }
    }

    private func ping() {
        guard controlAvailable, phase != .ended else { return }
        if pings.count >= 3 {
            hub.emit(.error(mapping: nil, message: "relay \(relayDescription) stopped answering pings; reconnecting"))
            connection.close()
            return
        }
        nextPingID += 1
        pings[nextPingID] = ContinuousClock.now
        connection.send(.ping(id: nextPingID))
    }
}
