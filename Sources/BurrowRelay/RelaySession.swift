import BurrowNIO
import BurrowCore
import NIOCore
import NIOPosix
import NIOSSH

/// One SSH connection: the key it logged in with, the forwards it holds, and
/// its control or banner channels. It lives on its connection's event loop and
/// every method runs there. It is the connection's authentication and
/// global-request delegate, so each connection has its own forwarder and
/// `cancel-tcpip-forward` or a disconnect closes exactly its listeners.
final class RelaySession {
    let id: UInt64
    let loop: any EventLoop
    let context: RelayContext
    let peer: String
    /// The client's IP address alone (for `LoginPenaltyBox`).
    let peerIP: String
    /// A key was offered and refused (a strike if no login follows).
    private var refusedAKey = false
    /// The place this connection holds in `RelayContext.unauthenticated`
    /// until it logs in or ends (nil once given back).
    var unauthenticatedSource: String?
    /// The key whose place in `RelayContext.keyConnections` this connection holds.
    private var countedKey: String?
    /// Set when the key was already at `sshMaxConnectionsPerKey` at login:
    /// the connection is told this and closed, and is granted nothing.
    private(set) var keyLimitRefusal: String?
    var sshHandler: NIOSSHHandler?
    private weak var channel: (any Channel)?
    private(set) var identity: PublicKeyIdentity?
    private(set) var username = ""
    /// The key's owner (`RelayContext.owner(ofKey:)`), set at login.
    private(set) var owner = ""
    /// `burrow-pool` on the key's line: its unregistered forwards serve in pools.
    private(set) var poolsUnregistered = false
    /// The agent run this connection belongs to (`hello`'s `instance`): its
    /// connections serve the names they share together (issue 15). nil for
    /// older agents and `ssh -R`.
    private(set) var instance: String?
    /// Which of its run's connections this is (`hello`'s `connection`).
    private(set) var connection: Int?
    var forwards: [UInt64: Forward] = [:]
    var controlChannel: SessionChannelHandler?
    var bannerChannels: [ObjectIdentifier: SessionChannelHandler] = [:]
    /// Refusals that happened before a control channel existed (OpenSSH sends
    /// its forwards before it opens a session); told once one attaches.
    var earlyRefusals: [RelayMessage] = []
    /// What the agent said about each name before forwarding it (`register`).
    var registrations: [String: MappingRegistration] = [:]
    var closed = false
    /// Completes when the last global request's reply has been handed to
    /// NIOSSH: replies must go out in the order the requests came (RFC 4254
    /// §4; clients match them by order), but NIOSSH writes each reply when
    /// its promise completes, and a TCP forward's bind finishes later than an
    /// at-once refusal of the request after it.
    private var lastReply: EventLoopFuture<Void>?
    /// Client-opened `session` channels now open (`sshMaxChannelsPerSession`).
    var openSessionChannels = 0

    init(id: UInt64, channel: any Channel, context: RelayContext) {
        self.id = id
        self.loop = channel.eventLoop
        self.channel = channel
        self.context = context
        self.peer = channel.remoteAddress.map(Self.describe) ?? "?"
        self.peerIP = channel.remoteAddress?.ipAddress ?? "?"
    }

    var handoff: LoopHandoff<RelaySession> { LoopHandoff(self, loop: loop) }

    /// How log lines name this session.
    var who: String {
        "\(username.isEmpty ? "?" : username)@\(peer) [\(identity?.fingerprint ?? "no key")]"
    }

    // MARK: child channels

    func initializeChannel(_ channel: any Channel, _ type: SSHChannelType) -> EventLoopFuture<Void> {
        switch type {
        case .session:
            let maximum = context.limits.sshMaxChannelsPerSession
            guard openSessionChannels < maximum else {
                let reason = "session channel refused: a connection may have at most \(maximum) open (sshMaxChannelsPerSession)"
                context.limitReporter.report(limit: "sshMaxChannelsPerSession", subject: who, "\(who): \(reason)")
                return channel.eventLoop.makeFailedFuture(RelayError.refused(reason))
            }
            openSessionChannels += 1
            channel.closeFuture.assumeIsolated().whenComplete { _ in self.openSessionChannels -= 1 }
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(SessionChannelHandler(session: self))
            }
        case .directTCPIP(let target):
            let reason =
                "ssh -L to \(target.targetHost):\(target.targetPort) refused: this relay is not a proxy (direct-tcpip is disabled)"
            tellClient(reason)
            return channel.eventLoop.makeFailedFuture(RelayError.refused(reason))
        case .forwardedTCPIP:
            let reason = "forwarded-tcpip channels go from the relay to the client, not back; refused"
            tellClient(reason)
            return channel.eventLoop.makeFailedFuture(RelayError.refused(reason))
        }
    }

    func attachControl(_ handler: SessionChannelHandler) {
        controlChannel?.close()
        controlChannel = handler
        if let keyLimitRefusal {
            handler.send(.notice(keyLimitRefusal))
            disconnect(in: .milliseconds(200))
            return
        }
        handler.send(.welcome(relayVersion: BurrowVersion.current, domain: context.configuration.domain))
        if let members = context.configuration.fleet?.members, !members.isEmpty { handler.send(.fleet(relays: members)) }
        for forward in forwards.values.sorted(by: { $0.id < $1.id }) {
            handler.send(forwardedMessage(forward))
        }
        for refusal in earlyRefusals { handler.send(refusal) }
    }

    func attachBanner(_ handler: SessionChannelHandler) {
        bannerChannels[ObjectIdentifier(handler)] = handler
        if let keyLimitRefusal {
            handler.writeBanner("Burrow relay \(context.configuration.domain): \(keyLimitRefusal)\n")
            disconnect(in: .milliseconds(200))
            return
        }
        var text = "Burrow relay \(context.configuration.domain): your tunnels\n"
        for forward in forwards.values.sorted(by: { $0.id < $1.id }) {
            text += bannerLine(forward)
        }
        if forwards.isEmpty {
            text += "  (none yet: ask for one with ssh -R NAME:80:localhost:PORT or -R 0:localhost:PORT)\n"
        }
        for case .refused(let host, let port, let reason, _) in earlyRefusals {
            text += "refused \(host.isEmpty ? "*" : host):\(port): \(reason)\n"
        }
        text += "Visitors reach you while this session is open. Press Ctrl-C to close it.\n"
        handler.writeBanner(text)
    }

    func detach(_ handler: SessionChannelHandler) {
        if controlChannel === handler { controlChannel = nil }
        bannerChannels[ObjectIdentifier(handler)] = nil
    }

    func agentSaidHello(version: String, instance: String?, connection: Int?) {
        context.log("\(who): agent \(version) on the control channel\(instance.map { " (instance \($0.prefix(8)))" } ?? "")")
        // Set once: a later hello cannot move a session's forwards to another instance.
        guard self.instance == nil, let instance else { return }
        self.instance = instance
        self.connection = connection
        guard let connection else { return }
        // The run's older connection of this number is one its agent gave up
        // on (a path that froze): it would keep a share of the visitors until
        // the keepalive watchdog noticed, so it goes now.
        let (owner, id) = (owner, id)
        for other in context.registry.sessions {
            other.run { older in
                guard older.id != id, older.instance == instance, older.connection == connection, older.owner == owner else { return }
                older.context.log("\(older.who): replaced by a newer connection \(connection) of the same agent; closing")
                older.disconnect()
            }
        }
    }

    func logRefusal(_ reason: String) {
        context.log("\(who): \(reason)")
    }

    /// A line for the human or the agent on the other end (and the log).
    /// News for the client (a takeover, a shutdown): logged, an
    /// informational notice for a Burrow agent, a line for a banner.
    func tellClient(_ text: String) {
        context.log("\(who): \(text)")
        controlChannel?.send(.notice(text, informational: true))
        for banner in bannerChannels.values { banner.writeBanner(text + "\n") }
    }

    /// A warning for the agent (a limit bit; the log line was written by the
    /// limit reporter). News goes through `tellClient`, certificates through `tellHTTPS`.
    func tellAgent(_ text: String) {
        controlChannel?.send(.notice(text))
        for banner in bannerChannels.values { banner.writeBanner(text + "\n") }
    }

    /// A visitor's HTTP request the relay refused itself (401, 403, 503), for
    /// the agent's request list. A stock `ssh -R` has no control channel.
    func tellAgentRefused(_ request: RefusedRequest) {
        controlChannel?.send(.requestRefused(request))
    }

    /// The keepalive watchdog found this agent silent for too long.
    func keepaliveExpired(silentFor silence: TimeAmount) {
        let seconds = Double(silence.nanoseconds) / 1e9
        context.log("\(who): nothing received for \(HTTPErrorPage.formatSeconds((seconds * 10).rounded() / 10)) (sshKeepaliveTimeoutSeconds); closing the dead connection and freeing its forwards")
    }

    /// A newer connection of the same key took over `forwardID`'s name: this
    /// session keeps the forward, standing by, and serves the name again at
    /// once if the newer connection leaves first.
    func standBy(forwardID: UInt64) {
        guard let forward = forwards[forwardID] else { return }
        tellClient("\(forward.url) is now served by a newer connection with the same key; this one serves it again if that one leaves")
    }

    func forwardedMessage(_ forward: Forward) -> RelayMessage {
        .forwarded(
            bindHost: forward.bindHost, bindPort: forward.requestedPort, boundPort: forward.boundPort, url: forward.url,
            alsoURL: forward.alsoURL)
    }

    func bannerLine(_ forward: Forward) -> String {
        "  \(forward.url)\(forward.alsoURL.map { " (also \($0))" } ?? "")  ->  your forward \(forward.bindHost.isEmpty ? "*" : forward.bindHost):\(forward.requestedPort)\n"
    }

    // MARK: lifecycle

    /// Closes the connection if it has not logged in within `timeout`.
    func closeUnlessAuthenticated(within timeout: TimeAmount) {
        loop.assumeIsolated().scheduleTask(in: timeout) {
            guard self.identity == nil, !self.closed else { return }
            self.context.log("\(self.peer): no login within \(timeout.nanoseconds / 1_000_000_000) s; closing")
            self.disconnect()
        }
    }

    func connectionClosed() {
        guard !closed else { return }
        closed = true
        leaveUnauthenticated()
        if identity == nil, refusedAKey, let penalty = context.loginPenalties.strike(peerIP) {
            let seconds = HTTPErrorPage.formatSeconds(Double(penalty.nanoseconds) / 1e9)
            context.limitReporter.report(
                limit: "sshLoginPenaltySeconds", subject: LoginPenaltyBox.source(peerIP),
                "\(peer): repeated failed logins; new SSH connections from \(LoginPenaltyBox.source(peerIP)) are closed for \(seconds) (sshLoginPenaltySeconds, doubling)")
        }
        if identity != nil { context.metrics.loggedOut() }
        if let countedKey { context.keyConnections.leave(countedKey) }
        for forward in forwards.values { remove(forward) }
        if let identity { context.keyLedger.releaseAll(key: identity.fingerprint, session: id) }
        controlChannel = nil
        bannerChannels = [:]
        sshHandler = nil
        context.registry.removeSession(id: id)
        if identity != nil { context.log("\(who): disconnected") }
    }

    var snapshot: RelaySessionSnapshot {
        RelaySessionSnapshot(
            user: username, peer: peer, keyFingerprint: identity?.fingerprint,
            forwards: forwards.values.sorted(by: { $0.id < $1.id }).map(\.snapshot))
    }

    /// Shutdown, first step: no new visitors on this session's TCP ports.
    func stopListening() -> EventLoopFuture<Void> {
        let closing = forwards.values.compactMap { forward -> EventLoopFuture<Void>? in
            guard let listener = forward.listener else { return nil }
            forward.listener = nil
            listener.close(promise: nil)
            return listener.closeFuture
        }
        tellClient("the relay is shutting down; open connections may finish")
        return EventLoopFuture.andAllComplete(closing, on: loop)
    }

    /// Shutdown, last step.
    func disconnect() {
        channel?.close(promise: nil)
    }

    /// Closes the connection after `delay`, so what was just said reaches the client first.
    private func disconnect(in delay: TimeAmount) {
        loop.assumeIsolated().scheduleTask(in: delay) { self.disconnect() }
    }

    /// Gives back the connection's place among those not logged in yet.
    private func leaveUnauthenticated() {
        guard let source = unauthenticatedSource else { return }
        unauthenticatedSource = nil
        context.unauthenticated.leave(source)
    }

    private static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress else { return "\(address)" }
        if case .v6 = address { return "[\(ip)]:\(address.port ?? 0)" }
        return "\(ip):\(address.port ?? 0)"
    }
}

extension RelaySession: NIOSSHServerUserAuthenticationDelegate {
    var supportedAuthenticationMethods: NIOSSHAvailableUserAuthenticationMethods { .publicKey }

    func requestReceived(
        request: NIOSSHUserAuthenticationRequest, responsePromise: EventLoopPromise<NIOSSHUserAuthenticationOutcome>
    ) {
        // NIOSSH calls this only once the signature over the session id checked out.
        guard case .publicKey(let offer) = request.request else {
            responsePromise.succeed(.failure)
            return
        }
        let key = PublicKeyIdentity(offer.publicKey)
        let username = request.username
        if context.configuration.allowAnyKey {
            admit(key, username: username, responsePromise)
            return
        }
        context.authorizedKeys.check(offer.publicKey, on: loop).assumeIsolated().whenSuccess { listed in
            guard listed else {
                self.context.log("\(username)@\(self.peer): refused key \(key.fingerprint): not in \(self.context.authorizedKeys.path)")
                self.context.metrics.login(accepted: false)
                self.refusedAKey = true
                responsePromise.succeed(.failure)
                return
            }
            self.admit(key, username: username, responsePromise)
        }
    }

    private func admit(
        _ key: PublicKeyIdentity, username: String, _ responsePromise: EventLoopPromise<NIOSSHUserAuthenticationOutcome>
    ) {
        identity = key
        self.username = username
        owner = context.owner(ofKey: key.fingerprint)
        poolsUnregistered = context.authorizedKeys.pools(fingerprint: key.fingerprint)
        context.loginPenalties.forgive(peerIP)
        leaveUnauthenticated()
        context.log("\(who): logged in")
        context.metrics.login(accepted: true)
        if context.keyConnections.enter(key.fingerprint) {
            countedKey = key.fingerprint
        } else {
            refuseOverKeyLimit(key)
        }
        responsePromise.succeed(.success)
    }

    /// The key already has `sshMaxConnectionsPerKey` connections open. The
    /// login stands, so the client learns why (an agent on its control
    /// channel, a person in their session; `ssh -N` sees its forwards
    /// refused) rather than a misleading "permission denied", and the
    /// connection closes within a few seconds whatever it does.
    private func refuseOverKeyLimit(_ key: PublicKeyIdentity) {
        let most = context.keyConnections.maximum
        let text = "this key already has \(most) SSH connection\(most == 1 ? "" : "s") open to this relay (sshMaxConnectionsPerKey): "
            + "close some (another `burrow up` with the same key?), or ask the relay's operator to raise the limit"
        keyLimitRefusal = text
        context.limitReporter.report(limit: "sshMaxConnectionsPerKey", subject: key.fingerprint, "\(who): connection closed: \(text)")
        disconnect(in: .seconds(3))
    }
}

extension RelaySession: GlobalRequestDelegate {
    func tcpForwardingRequest(
        _ request: GlobalRequest.TCPForwardingRequest, handler: NIOSSHHandler,
        promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>
    ) {
        let answer = loop.makePromise(of: GlobalRequest.TCPForwardingResponse.self)
        let previous = lastReply ?? loop.makeSucceededVoidFuture()
        let replied = loop.makePromise(of: Void.self)
        lastReply = replied.futureResult
        answer.futureResult.whenComplete { result in
            previous.whenComplete { _ in
                promise.completeWith(result)
                replied.succeed(())
            }
        }
        switch request {
        case .listen(let host, let port): listen(host: host, port: port, promise: answer)
        case .cancel(let host, let port): cancel(host: host, port: port, promise: answer)
        }
    }
}
