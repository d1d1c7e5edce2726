import BurrowCore
import BurrowNIO
import NIOCore
import NIOPosix
import NIOSSH

/// Granting, refusing and cancelling `tcpip-forward`s, and opening one
/// `forwarded-tcpip` channel per visitor.
extension RelaySession {
    func listen(host: String, port: Int, promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>) {
        guard let identity else {
            promise.fail(RelayError.refused("not authenticated"))
            return
        }
        if let keyLimitRefusal {
            refuse(host: host, port: port, keyLimitRefusal, promise)
            return
        }
        guard context.accepting.load(ordering: .relaxed), !closed else {
            refuse(host: host, port: port, "the relay is shutting down", promise)
            return
        }
        if forwards.values.contains(where: { $0.bindHost == host && $0.requestedPort == port }) {
            refuse(host: host, port: port, "\(host):\(port) is already forwarded on this connection", promise)
            return
        }
        let label = KeyLedger.label(host: host, port: port)
        let maximum = context.limits.maxMappingsPerKey
        guard context.keyLedger.claim(key: identity.fingerprint, session: id, label: label, maximum: maximum) else {
            refuse(
                host: host, port: port,
                "this key already holds \(maximum) mappings on this relay (maxMappingsPerKey); remove one first", promise)
            return
        }
        // Any refusal from here on gives the slot back.
        let (key, session, ledger) = (identity.fingerprint, id, context.keyLedger)
        promise.futureResult.whenFailure { _ in ledger.release(key: key, session: session, label: label) }
        switch port {
        // First: a UDP mapping may ask for any port, 80 and 443 included.
        case _ where registrations[host]?.protocol == .udp:
            listenUDP(host: host, port: port, key: identity.fingerprint, promise: promise)
        case 80:
            listenHTTP(host: host, key: identity.fingerprint, promise: promise)
        case MappingProtocol.tlsBindPort:
            listenTLS(host: host, key: identity.fingerprint, promise: promise)
        default:
            listenTCP(host: host, port: port, key: identity.fingerprint, promise: promise)
        }
    }

    func cancel(host: String, port: Int, promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>) {
        guard let forward = forwards.values.first(where: { $0.matches(host: host, port: port) }) else {
            promise.fail(RelayError.refused("no forward \(host):\(port) to cancel"))
            return
        }
        context.log("\(who): cancelled \(forward.url)")
        remove(forward).whenComplete { _ in promise.succeed(.init(boundPort: nil)) }
    }

    func refuse(
        host: String, port: Int, _ reason: String, _ promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>
    ) {
        context.log("\(who): refused \(host.isEmpty ? "*" : host):\(port): \(reason)")
        context.metrics.refused("forward_refused")
        // Before the failure: SSH's REQUEST_FAILURE carries no reason.
        let message = RelayMessage.refused(bindHost: host, bindPort: port, reason: reason)
        if let controlChannel {
            controlChannel.send(message)
        } else if earlyRefusals.count < 32 {
            earlyRefusals.append(message)
        }
        // (Kept for a banner channel that may still open; a control channel
        // gets them on attach.)
        for banner in bannerChannels.values { banner.writeBanner("refused \(host):\(port): \(reason)\n") }
        promise.fail(RelayError.refused(reason))
    }

    static let unnamedHosts: Set<String> = ["", "localhost", "0.0.0.0", "*", "::", "127.0.0.1", "::1"]

    private func listenHTTP(host: String, key: String, promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>) {
        chooseName(host: host, port: 80, key: key, taken: { Set(self.forwards.values.compactMap(\.httpName)) }, promise) { name in
            let plain = PublicURL.forMapping(
                .http, name: name, domain: self.context.configuration.domain, publicHost: self.context.configuration.domain,
                port: self.context.httpPort.load(ordering: .relaxed))
            // With a certificate source, both URLs: https first unless configured otherwise.
            let secure = self.httpsURL(name: name)
            let (url, also) = secure.map { self.context.configuration.httpsFirst ? ($0, plain) : (plain, $0) } ?? (plain, nil)
            let forward = Forward(id: self.context.makeID(), bindHost: host, requestedPort: 80, kind: .http(name: name), url: url)
            forward.alsoURL = also
            self.grantNamed(forward, key: key, promise)
            if secure != nil { self.certificateWanted(name: name) }
        }
    }

    /// Finds the name an HTTP or TLS forward asked for by its bind host
    /// (`NAME`, or `NAME.DOMAIN`), or the key's own random one for an
    /// unnamed host, reserves it, and calls `grant` with it on this
    /// session's loop; or refuses the request. The name must be a DNS label,
    /// not reserved by the operator, not already forwarded (of this kind,
    /// `taken`) on this connection, and not held by another owner. The
    /// reservation may take a while (a fleet's database): the session may
    /// close meanwhile, and `taken` is asked again before granting.
    func chooseName(
        host: String, port: Int, key: String, taken: @escaping () -> Set<String>,
        _ promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>, grant: @escaping (String) -> Void
    ) {
        var requested = host.lowercased()
        let suffix = "." + context.configuration.domain.lowercased()
        if requested.hasSuffix(suffix) { requested.removeLast(suffix.count) }
        let claimed: EventLoopFuture<String>
        do {
            if Self.unnamedHosts.contains(requested) {
                claimed = context.reservations.autoName(for: key, avoiding: taken(), on: loop)
            } else {
                try DNSLabel.validate(requested)
                if context.reservedNames.contains(requested) {
                    throw RelayError.refused("name '\(requested)' is reserved on this relay; choose another name")
                }
                if taken().contains(requested) {
                    throw RelayError.refused("name '\(requested)' is already forwarded on this connection")
                }
                let name = requested
                claimed = context.reservations.claim(name: name, for: key, sameOwner: sameOwner, on: loop).map { name }
            }
        } catch {
            refuse(host: host, port: port, Self.reason(error), promise)
            return
        }
        claimed.hop(to: loop).assumeIsolated().whenComplete { result in
            switch result {
            case .failure(let error):
                self.refuse(host: host, port: port, Self.reason(error), promise)
            case .success(let name):
                if self.closed {
                    promise.fail(RelayError.refused("connection closed"))
                } else if taken().contains(name) {
                    self.refuse(host: host, port: port, "name '\(name)' is already forwarded on this connection", promise)
                } else {
                    grant(name)
                }
            }
        }
    }

    /// The line a refusal carries for `error`.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as CoreError: error.description
        case let error as RelayError: error.description
        default: "\(error)"
        }
    }

    /// Grants a named (HTTP or TLS) forward: kept by this session, registered
    /// under its name. The same key asking again from a new connection: the
    /// newer one serves, the older one stands by to serve again if the newer
    /// one leaves — unless both are connections of one agent run (the same
    /// `hello` instance): then both serve it (issue 15).
    func grantNamed(_ forward: Forward, key: String, _ promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>) {
        forward.bandwidth = context.limits.bandwidthBytesPerSecond.map(TokenBucket.init(bytesPerSecond:))
        forward.policy = policy(for: forward.bindHost)
        let holder = ForwardRegistry.Holder(
            session: handoff, sessionID: id, forwardID: forward.id, key: key, bandwidth: forward.bandwidth, policy: forward.policy,
            owner: owner, instance: instance)
        let poolKey: PoolKey
        switch forward.kind {
        case .http(let name): poolKey = .http(name)
        case .tls(let name): poolKey = .tls(name)
        case .tcp, .udp: preconditionFailure("grantNamed is for HTTP and TLS forwards")
        }
        // Kept before the claim: a visitor may be sent here as soon as it is made.
        forwards[forward.id] = forward
        switch context.registry.claimNamed(poolKey, holder, pool: poolFlag(for: forward.bindHost)) {
        case .refused(let reason):
            forwards[forward.id] = nil
            refuse(host: forward.bindHost, port: forward.requestedPort, reason, promise)
            return
        case .serving(let previous):
            for holder in previous { holder.session.run { $0.standBy(forwardID: holder.forwardID) } }
            promise.succeed(.init(boundPort: nil))
            announce(forward)
        case .joined:
            promise.succeed(.init(boundPort: nil))
            announce(forward)
        case .pooled(let news):
            forward.pooled = true
            promise.succeed(.init(boundPort: nil))
            announce(forward)
            context.log("\(who): \(forward.url) pooled (\(news.online)/\(news.members) members online)")
            news.deliver()
        }
    }

    /// The relay ports to try for a TCP or UDP forward asking for `port`
    /// (0 = the key's reserved port first, then any free one in the range);
    /// nil after refusing the request with the reason.
    func candidatePorts(
        host: String, port: Int, key: String, promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>
    ) -> [Int]? {
        let range = context.configuration.portRange
        if port == 0 {
            let candidates = context.reservations.candidatePorts(for: key, label: host, in: range)
            if candidates.isEmpty {
                refuse(host: host, port: port, "no free port left in this relay's range \(range.lowerBound)-\(range.upperBound)", promise)
                return nil
            }
            return candidates
        }
        guard range.contains(port) else {
            refuse(
                host: host, port: port,
                "port \(port) is outside this relay's range \(range.lowerBound)-\(range.upperBound); ask for port 0 to get one from it",
                promise)
            return nil
        }
        if let owner = context.reservations.owner(ofPort: port), owner != key, !sameOwner(owner) {
            refuse(host: host, port: port, "port \(port) is reserved by another key; ask for port 0 to get a free one", promise)
            return nil
        }
        return [port]
    }

    /// Keeps a freshly bound TCP listener or UDP socket for this session and
    /// reserves its port for `key`, then calls `grant` on this session's
    /// loop; or closes the socket and fails the request when the session
    /// closed meanwhile or the reservation is refused.
    func adoptBoundPort(
        _ socket: any Channel, bound: Int, host: String, port: Int, key: String,
        promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>, grant: @escaping () -> Void
    ) {
        if closed {
            socket.close(promise: nil)
            promise.fail(RelayError.refused("connection closed"))
            return
        }
        context.reservations.claim(port: bound, label: host, for: key, movingLabel: port == 0, sameOwner: sameOwner, on: loop)
            .hop(to: loop).assumeIsolated().whenComplete { result in
                switch result {
                case .failure(let error):
                    socket.close(promise: nil)
                    self.refuse(host: host, port: port, Self.reason(error), promise)
                case .success where self.closed:
                    socket.close(promise: nil)
                    promise.fail(RelayError.refused("connection closed"))
                case .success:
                    grant()
                }
            }
    }

    private func listenTCP(
        host: String, port: Int, key: String, promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>
    ) {
        let range = context.configuration.portRange
        if joinTCPPool(host: host, port: port, key: key, promise: promise) { return }
        if let instance, poolFlag(for: host) != true {
            // One bind per agent run and mapping: a sibling connection binding
            // it now is waited for, and then joined (or, if it failed, followed).
            let bindKey = ForwardRegistry.tcpBindKey(owner: owner, label: host, instance: instance)
            let done = loop.makePromise(of: Void.self)
            if let pending = context.registry.beginTCPBind(bindKey, done.futureResult) {
                done.succeed(())
                pending.hop(to: loop).assumeIsolated().whenComplete { _ in
                    guard !self.closed else {
                        promise.fail(RelayError.refused("connection closed"))
                        return
                    }
                    self.listenTCP(host: host, port: port, key: key, promise: promise)
                }
                return
            }
            let registry = context.registry
            promise.futureResult.whenComplete { _ in
                registry.endTCPBind(bindKey, done.futureResult)
                done.succeed(())
            }
        }
        guard let candidates = candidatePorts(host: host, port: port, key: key, promise: promise) else { return }
        let forwardID = context.makeID()
        // An agent run's forward is its connections' pool from the start, so
        // its other connections join it (`instance`; issue 15).
        let group = poolFlag(for: host) == true ? nil : instance
        let pooled = poolFlag(for: host) == true || group != nil
        bindFirst(of: candidates[...], forwardID: forwardID, pooled: pooled).assumeIsolated().whenComplete { result in
            switch result {
            case .failure(let error):
                let reason = port == 0 ? "no port of \(range.lowerBound)-\(range.upperBound) could be bound: \(BindErrorText.describe(error))" : "port \(port) cannot be bound on the relay: \(BindErrorText.describe(error))"
                self.refuse(host: host, port: port, reason, promise)
            case .success(let (listener, bound)):
                self.adoptBoundPort(listener, bound: bound, host: host, port: port, key: key, promise: promise) {
                    let bandwidth = self.context.limits.bandwidthBytesPerSecond.map(TokenBucket.init(bytesPerSecond:))
                    if pooled {
                        self.grantPooledTCP(
                            bound: bound, id: forwardID, host: host, port: port, listener: listener, key: key,
                            policy: self.policy(for: host), bandwidth: bandwidth, group: group, promise)
                        return
                    }
                    self.grantPorted(
                        .tcp(port: bound), id: forwardID, host: host, port: port, listener: listener, key: key,
                        policy: self.policy(for: host), bandwidth: bandwidth, promise)
                }
            }
        }
    }

    /// Grants a TCP or UDP forward on the port it bound (`kind` carries it):
    /// kept by this session, registered under the port. Port 0 asked → the
    /// bound port goes back in the reply, as `ssh -R 0:…` expects.
    func grantPorted(
        _ kind: Forward.Kind, id forwardID: UInt64, host: String, port: Int, listener: any Channel, key: String,
        policy: AccessPolicy, bandwidth: TokenBucket?, _ promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>
    ) {
        let bound: Int
        let mappingProtocol: MappingProtocol
        switch kind {
        case .tcp(let number): (bound, mappingProtocol) = (number, .tcp)
        case .udp(let number): (bound, mappingProtocol) = (number, .udp)
        case .http, .tls: preconditionFailure("grantPorted is for TCP and UDP forwards")
        }
        let url = PublicURL.forMapping(
            mappingProtocol, name: host, domain: context.configuration.domain, publicHost: context.configuration.domain, port: bound)
        let forward = Forward(id: forwardID, bindHost: host, requestedPort: port, kind: kind, url: url)
        forward.listener = listener
        forward.bandwidth = bandwidth
        forward.policy = policy
        forwards[forwardID] = forward
        context.registry.claimTCP(
            bound,
            ForwardRegistry.Holder(
                session: handoff, sessionID: id, forwardID: forwardID, key: key, bandwidth: bandwidth, policy: policy, owner: owner))
        promise.succeed(.init(boundPort: port == 0 ? bound : nil))
        announce(forward)
    }

    /// Binds the first port of `candidates` that works, after taking it from
    /// another session of the same key that still holds it.
    private func bindFirst(of candidates: ArraySlice<Int>, forwardID: UInt64, pooled: Bool) -> EventLoopFuture<(any Channel, Int)> {
        guard let port = candidates.first else {
            return loop.makeFailedFuture(RelayError.refused("no candidate port"))
        }
        let freed: EventLoopFuture<Void>
        if let holder = context.registry.tcpSingle(port), holder.sessionID != id {
            let promise = loop.makePromise(of: Void.self)
            holder.session.run { $0.evict(forwardID: holder.forwardID).cascade(to: promise) }
            freed = promise.futureResult
        } else if let group = context.registry.tcpGroup(port), group.instance != instance,
                  group.members.first?.owner == owner, let listener = group.listener {
            // Another run of this owner's agent holds the port: its connections let go, then it is bound again.
            for member in group.members { member.session.run { _ = $0.evict(forwardID: member.forwardID) } }
            freed = listener.closeFuture.hop(to: loop)
        } else {
            freed = loop.makeSucceededVoidFuture()
        }
        return freed.assumeIsolated().flatMap {
            self.bindListener(port: port, forwardID: forwardID, pooled: pooled).map { ($0, port) }
        }.flatMapError { error in
            if candidates.count > 1 { self.context.log("\(self.who): port \(port) could not be bound (\(error)); trying another") }
            return candidates.count > 1
                ? self.bindFirst(of: candidates.dropFirst(), forwardID: forwardID, pooled: pooled)
                : self.loop.makeFailedFuture(error)
        }.nonisolated()
    }

    private func bindListener(port: Int, forwardID: UInt64, pooled: Bool) -> EventLoopFuture<any Channel> {
        let session = handoff
        let context = context
        return ServerBootstrap.visitorListener(group: loop)
            .childChannelInitializer { visitor in
                // The listener's group is the session's loop, so its visitors are there too.
                visitor.eventLoop.makeCompletedFuture {
                    // A pool's listener outlives the session that bound it: its visitors go by port.
                    if pooled {
                        try RelaySession.acceptPooledVisitor(visitor, port: port, context: context)
                    } else {
                        try session.value.acceptVisitor(visitor, forwardID: forwardID)
                    }
                }
            }
            .bind(host: context.configuration.bindHost, port: port)
    }

    /// A visitor on a TCP listener of this session (same event loop).
    private func acceptVisitor(_ visitor: any Channel, forwardID: UInt64) throws {
        loop.preconditionInEventLoop()
        // Refusals close the connection: a TCP visitor has no page to read.
        guard context.refuseByRate(visitor, port: "TCP") == nil else { throw RelayError.refused("rate limited") }
        guard let forward = forwards[forwardID], let key = identity?.fingerprint else { throw RelayError.refused("the tunnel is offline") }
        let holder = ForwardRegistry.Holder(
            session: handoff, sessionID: id, forwardID: forwardID, key: key, bandwidth: forward.bandwidth, policy: forward.policy,
            owner: owner)
        if let refusal = VisitorAdmission.admit(visitor, holder: holder, port: "TCP", url: forward.url.description, relay: context) {
            throw RelayError.refused(refusal.reason)
        }
        context.track(visitor: visitor)
        try VisitorSplice.join(visitor, to: holder, relay: context)
    }

    /// Opens the `forwarded-tcpip` channel for one visitor (a TCP connection
    /// or a UDP flow): the SSH data codec, a byte counter for the forward's
    /// totals and the metrics, then `handlers` (the glue's SSH half, or a
    /// flow's datagram framing); the future completes when the channel is active.
    func openChannel(forwardID: UInt64, originator: SocketAddress?, glue: GlueHandler) -> EventLoopFuture<any Channel> {
        openChannel(forwardID: forwardID, originator: originator, handlers: [glue])
    }

    func openChannel(forwardID: UInt64, originator: SocketAddress?, handlers: [any ChannelHandler]) -> EventLoopFuture<any Channel> {
        guard !closed, let forward = forwards[forwardID], let sshHandler else {
            return loop.makeFailedFuture(RelayError.refused("the tunnel is offline"))
        }
        guard let originator else {
            return loop.makeFailedFuture(RelayError.refused("the visitor has no address"))
        }
        let promise = loop.makePromise(of: (any Channel).self)
        let tally = ByteTally()
        sshHandler.createChannel(
            promise,
            channelType: .forwardedTCPIP(
                .init(listeningHost: forward.bindHost, listeningPort: forward.channelPort, originatorAddress: originator))
        ) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers([SSHChannelDataCodec(), ByteCountingHandler(tally)] + handlers)
            }.flatMap {
                channel.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            }
        }
        let metrics = context.metrics
        promise.futureResult.assumeIsolated().whenSuccess { channel in
            forward.visitorOpened(tally)
            metrics.visitorOpened(forward.kind.mappingProtocol)
            channel.closeFuture.assumeIsolated().whenComplete { _ in
                forward.visitorClosed(tally)
                // On the SSH channel: written = visitor → agent.
                metrics.visitorClosed(bytesIn: tally.writtenBytes, bytesOut: tally.readBytes)
            }
        }
        return promise.futureResult
    }

    func announce(_ forward: Forward) {
        context.metrics.forwardGranted(forward.kind.mappingProtocol)
        context.log("\(who): \(forward.url) -> \(forward.bindHost.isEmpty ? "*" : forward.bindHost):\(forward.requestedPort)")
        controlChannel?.send(forwardedMessage(forward))
        for banner in bannerChannels.values { banner.writeBanner(bannerLine(forward)) }
    }

    /// Lets go of a forward that a newer session of the same key took over.
    func evict(forwardID: UInt64) -> EventLoopFuture<Void> {
        guard let forward = forwards[forwardID] else { return loop.makeSucceededVoidFuture() }
        tellClient("\(forward.url) was taken over by a newer connection with the same key")
        return remove(forward)
    }

    @discardableResult
    func remove(_ forward: Forward) -> EventLoopFuture<Void> {
        if forwards[forward.id] != nil { context.metrics.forwardRemoved(forward.kind.mappingProtocol) }
        forwards[forward.id] = nil
        if let identity {
            context.keyLedger.release(
                key: identity.fingerprint, session: id, label: KeyLedger.label(host: forward.bindHost, port: forward.requestedPort))
        }
        switch forward.kind {
        case .http(let name): context.registry.releaseNamed(.http(name), forwardID: forward.id).news?.deliver()
        case .tcp(let port) where forward.pooled:
            let left = context.registry.leaveTCPPool(port, forwardID: forward.id)
            left.news?.deliver()
            // The last member closes the pool's listener.
            left.listener?.close(promise: nil)
        case .tcp(let port), .udp(let port): context.registry.releaseTCP(port, forwardID: forward.id)
        case .tls(let name): context.registry.releaseNamed(.tls(name), forwardID: forward.id).news?.deliver()
        }
        guard let listener = forward.listener else { return loop.makeSucceededVoidFuture() }
        forward.listener = nil
        let closed = loop.makePromise(of: Void.self)
        listener.close(promise: nil)
        listener.closeFuture.cascade(to: closed)
        return closed.futureResult
    }
}
