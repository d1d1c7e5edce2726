import BurrowNIO
import BurrowConfig
import BurrowCore
import NIOCore
import NIOPosix
import NIOSSH
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The relay: an SSH server that grants `tcpip-forward`s, an HTTP router that
/// sends each visitor to the session owning its `Host`, and a TCP listener per
/// TCP forward. Runs on its own multi-threaded event-loop group (one loop per
/// core); each SSH connection and its TCP listeners live on one loop, and the
/// HTTP and TLS ports listen on every loop (`PerLoopListener`), so a visitor
/// stays on the loop that accepted it.
public final class Relay: Sendable {
    /// swift-nio-ssh advertises a receive window of 64 × this per channel:
    /// 256 KiB packets → 16 MiB windows, enough for ~300 MB/s per stream at 50 ms RTT.
    static let maximumPacketSize = 1 << 18

    private let configuration: RelayConfiguration

    private struct Running: Sendable {
        var group: MultiThreadedEventLoopGroup
        var context: RelayContext
        var listeners: [any Channel]
        /// Held while running, so `burrow serve reservations rm` waits for a stop.
        var stateLock: StateDirectoryLock
        /// The certificates' renewal/reload tick, cancelled before the loops stop.
        var certificateTicks: RepeatedTask?
    }

    private let running = Mutex<Running?>(nil)

    public init(configuration: RelayConfiguration) {
        self.configuration = configuration
    }

    /// Loads or makes the host key, binds the SSH and HTTP ports, and returns
    /// where they are. Throws `RelayError` with a one-line reason.
    public func start() async throws -> RelayEndpoints {
        guard running.withLock({ $0 == nil }) else { throw RelayError.alreadyRunning }
        let directory = configuration.stateDirectory
        do {
            try AtomicFile.makeDirectory(directory)
        } catch {
            throw RelayError.stateDirectory(directory, reason: error.description)
        }
        let stateLock: StateDirectoryLock
        do {
            stateLock = try StateDirectoryLock.holdShared(directory: directory)
        } catch {
            throw RelayError.stateDirectory(directory, reason: error.description)
        }
        var configuration = self.configuration
        do {
            if let settings = try RelaySettingsFile.load(path: directory + "/relay.json") {
                configuration.limits = settings.limits
            }
        } catch {
            throw RelayError.settings(error.description)
        }
        let privateKey = try HostKeyStore.loadOrCreate(path: directory + "/host_key")
        let hostKey = NIOSSHPrivateKey(ed25519Key: privateKey)
        let reservations: any ReservationBackend
        if let fleet = configuration.fleet {
            // The fleet's database instead of reservations.json; unreachable = no start.
            reservations = try await fleet.open(
                maximumPerKey: configuration.limits.maxReservationsPerKey, log: configuration.log ?? { _ in })
        } else {
            reservations = try ReservationStore(
                path: directory + "/reservations.json", maximumPerKey: configuration.limits.maxReservationsPerKey,
                reservedNames: Set(configuration.limits.reservedNames), log: configuration.log ?? { _ in })
        }
        let context = RelayContext(configuration: configuration, hostKey: hostKey, reservations: reservations)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)

        // Each listener in turn; any failure closes those already bound.
        var listeners: [any Channel] = []
        var sshPort = configuration.sshPort
        do {
            let http = try await bindHTTP(group: group, context: context)
            context.httpPort.store(http.first?.localAddress?.port ?? configuration.httpPort, ordering: .relaxed)
            listeners += http
            let ssh = try await bindSSH(group: group, context: context)
            sshPort = ssh.localAddress?.port ?? sshPort
            listeners.append(ssh)
            if configuration.tlsPort != nil {
                let tls = try await bindTLS(group: group, context: context)
                context.tlsPort.store(tls.first?.localAddress?.port ?? 0, ordering: .relaxed)
                listeners += tls
            }
            if configuration.metricsPort != nil {
                let metrics = try await bindMetrics(group: group, context: context)
                context.metricsPort.store(metrics.localAddress?.port ?? 0, ordering: .relaxed)
                listeners.append(metrics)
            }
        } catch {
            for listener in listeners { try? await listener.close() }
            try? await group.shutdownGracefully()
            await configuration.fleet?.leave()
            throw error
        }
        // Listed as a live member once agents can dial it.
        await configuration.fleet?.join(sshPort: sshPort) { relays in context.announceFleet(relays) }
        var ticks: RepeatedTask?
        if let certificates = configuration.certificates {
            ticks = await Self.watchCertificates(certificates, context: context, loop: group.next())
        }
        running.withLock {
            $0 = Running(group: group, context: context, listeners: listeners, stateLock: stateLock, certificateTicks: ticks)
        }

        let endpoints = RelayEndpoints(
            sshPort: sshPort,
            httpPort: context.httpPort.load(ordering: .relaxed),
            hostKeyLine: OpenSSHKey.publicKeyLine(privateKey.publicKey, comment: ""),
            fingerprint: OpenSSHKey.fingerprint(privateKey.publicKey))
        var result = endpoints
        let tlsPort = context.tlsPort.load(ordering: .relaxed)
        result.tlsPort = tlsPort > 0 ? tlsPort : nil
        let metricsPort = context.metricsPort.load(ordering: .relaxed)
        result.metricsPort = metricsPort > 0 ? metricsPort : nil
        return result
    }

    /// Stops accepting (SSH, HTTP and TCP listeners close), lets open visitors
    /// finish for up to `drainTimeout`, then closes every session and stops the
    /// event loops. Safe to call twice or before `start`. nil = relay.json's
    /// `drainTimeoutSeconds` (10 s by default).
    public func shutdown(drainTimeout: Duration? = nil) async {
        guard let state = running.withLock({ state -> Running? in
            defer { state = nil }
            return state
        }) else { return }
        let context = state.context
        state.certificateTicks?.cancel()
        let drainTimeout = drainTimeout ?? .milliseconds(Int64(context.limits.drainTimeoutSeconds * 1000))
        context.accepting.store(false, ordering: .relaxed)
        for listener in state.listeners { try? await listener.close() }
        // Off the member list at once: agents stop dialling this member.
        await context.configuration.fleet?.leave()
        let sessions = context.registry.sessions
        for session in sessions {
            let promise = session.loop.makePromise(of: Void.self)
            session.run { $0.stopListening().cascade(to: promise) }
            try? await promise.futureResult.get()
        }
        // Pools' TCP listeners belong to no session.
        for listener in context.registry.poolListeners() { try? await listener.close() }
        let open = context.openVisitors.load(ordering: .relaxed)
        if open > 0 { context.log("draining \(open) open visitor connection(s), up to \(drainTimeout)") }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: drainTimeout)
        while context.openVisitors.load(ordering: .relaxed) > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let left = context.openVisitors.load(ordering: .relaxed)
        if left > 0 { context.log("drain timeout (\(drainTimeout)) reached: closing \(left) visitor connection(s) still open") }
        for session in context.registry.sessions {
            session.run { $0.disconnect() }
        }
        try? await state.group.shutdownGracefully()
        // The last reservation changes reach the disk before start() may run again.
        context.reservations.flush()
    }

    /// Sessions, forwards and their counters right now (empty when not running).
    public func snapshot() async -> RelaySnapshot {
        guard let context = running.withLock({ $0?.context }) else {
            return RelaySnapshot(sessions: [], openVisitors: 0)
        }
        var sessions: [RelaySessionSnapshot] = []
        for session in context.registry.sessions {
            if let snapshot = try? await session.loop.submit({ session.value.snapshot }).get() {
                sessions.append(snapshot)
            }
        }
        return RelaySnapshot(sessions: sessions, openVisitors: context.openVisitors.load(ordering: .relaxed))
    }

    /// One listener per event loop: an HTTP visitor is served on the loop
    /// that accepted it, with no hop to another thread first.
    private func bindHTTP(group: MultiThreadedEventLoopGroup, context: RelayContext) async throws -> [any Channel] {
        let host = context.configuration.bindHost
        let port = context.configuration.httpPort
        do {
            return try await PerLoopListener.make(group: group, host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let refusal = context.refuseByRate(channel, port: "HTTP") {
                        try channel.pipeline.syncOperations.addHandler(HTTPRefusalResponder(response: refusal))
                    } else {
                        try HTTPRouter.install(on: channel, relay: context)
                    }
                }
            }
        } catch {
            throw RelayError.bindFailed(what: "HTTP", host: host, port: port, reason: "\(error)")
        }
    }

    private func bindSSH(group: MultiThreadedEventLoopGroup, context: RelayContext) async throws -> any Channel {
        let host = context.configuration.bindHost
        let port = context.configuration.sshPort
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                // An agent that vanished without a FIN (laptop lid, NAT
                // timeout) is noticed in about a minute: its names go offline.
                .childChannelOption(.socketOption(.so_keepalive), value: 1)
                .childChannelOption(.tcpOption(.keepaliveIdle), value: 30)
                .childChannelOption(.tcpOption(.keepaliveInterval), value: 10)
                .childChannelOption(.tcpOption(.keepaliveCount), value: 3)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let address = channel.remoteAddress?.ipAddress ?? "?"
                        let source = LoginPenaltyBox.source(address)
                        if let penalty = context.loginPenalties.penalty(for: address) {
                            // Shut out for repeated failed logins: closed before the banner.
                            let seconds = HTTPErrorPage.formatSeconds((Double(penalty.nanoseconds) / 1e8).rounded() / 10)
                            context.limitReporter.report(
                                limit: "sshLoginPenaltySeconds", subject: source + " closed",
                                "\(source): SSH connection closed: shut out for \(seconds) more after repeated failed logins (sshLoginPenaltySeconds)")
                            throw RelayError.refused("login penalty")
                        }
                        guard context.unauthenticated.enter(source) else {
                            let most = context.unauthenticated.maximum
                            context.limitReporter.report(
                                limit: "sshMaxUnauthenticatedPerIP", subject: source,
                                "\(source): SSH connection closed: \(most) from this address are open and not logged in yet (sshMaxUnauthenticatedPerIP)")
                            throw RelayError.refused("too many connections not logged in")
                        }
                        do {
                            try Self.startSession(on: channel, context: context, unauthenticatedSource: source)
                        } catch {
                            context.unauthenticated.leave(source)
                            throw error
                        }
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw RelayError.bindFailed(what: "SSH", host: host, port: port, reason: "\(error)")
        }
    }

    /// Sets up one SSH connection: its session (auth and forwarding delegate)
    /// and the NIOSSH handler.
    /// `unauthenticatedSource`: the place the connection holds in
    /// `RelayContext.unauthenticated`, which the session gives back at login
    /// or when the connection ends.
    private static func startSession(on channel: any Channel, context: RelayContext, unauthenticatedSource: String) throws {
        let session = RelaySession(id: context.makeID(), channel: channel, context: context)
        session.unauthenticatedSource = unauthenticatedSource
        var server = SSHServerConfiguration(hostKeys: [context.hostKey], userAuthDelegate: session, globalRequestDelegate: session)
        server.maximumPacketSize = maximumPacketSize
        // NIOSSH's own AES-GCM, plus a repair so `ssh -X` is refused, not dropped.
        server.transportProtectionSchemes = [TolerantAES256GCMProtection.self, TolerantAES128GCMProtection.self]
        let limits = context.configuration.limits
        // NIOSSH counts every request, and OpenSSH sends "none" first, then
        // per key a query and a signed request (NIOSSH accepts every query and
        // judges the signed one). So N attempts = N keys offered = 2N + 1 requests.
        server.maxAuthAttempts = 2 * limits.sshMaxAuthAttempts + 1
        let handler = NIOSSHHandler(
            role: .server(server), allocator: channel.allocator,
            inboundChildChannelInitializer: { child, type in session.initializeChannel(child, type) })
        session.sshHandler = handler
        let watchdog = SSHKeepaliveWatchdog.handlers(timeout: .fromSeconds(limits.sshKeepaliveTimeoutSeconds), session: session)
        // The flushes of all visitors' child channels in one tick leave in one write(2).
        try channel.pipeline.syncOperations.addHandlers(
            watchdog + [FlushCoalescingHandler(), handler, ConnectionErrorHandler(session: session)])
        context.registry.add(session: session.handoff, id: session.id)
        channel.closeFuture.assumeIsolated().whenComplete { _ in session.connectionClosed() }
        session.closeUnlessAuthenticated(within: .fromSeconds(limits.sshAuthTimeoutSeconds))
    }
}

extension NIOBSDSocket.Option {
    #if canImport(Darwin)
    static let keepaliveIdle = NIOBSDSocket.Option(rawValue: TCP_KEEPALIVE)
    #else
    static let keepaliveIdle = NIOBSDSocket.Option(rawValue: TCP_KEEPIDLE)
    #endif
    static let keepaliveInterval = NIOBSDSocket.Option(rawValue: TCP_KEEPINTVL)
    static let keepaliveCount = NIOBSDSocket.Option(rawValue: TCP_KEEPCNT)
}
