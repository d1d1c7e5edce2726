import BurrowConfig
import BurrowCore
import BurrowNIO
import NIOCore
import NIOPosix
import NIOSSH

/// One SSH connection to a relay, authenticated, with its `burrow-control`
/// session. Visitor channels the relay opens are wired by `VisitorBridge`
/// through the tunnel's `Router`. Safe to use from any thread: every NIOSSH
/// call hops onto the connection's event loop.
final class SSHTunnelConnection: Sendable {
    /// The maximum SSH packet we accept. NIOSSH advertises a receive window of
    /// 64 packets per channel, so 256 KiB packets give 16 MiB windows: enough
    /// for one stream to fill a fast link with real latency.
    static let maximumPacketSize = 1 << 18

    let channel: Channel
    /// Relay messages from the control session; finishes when it closes.
    let messages: AsyncStream<RelayMessage>
    /// Why the relay refused forwards, recorded before the refusal itself arrives.
    let refusals: RefusalBook
    /// The relay's latest notice, which `closed()` gives as the close's reason.
    private let lastWord: RelayLastWord
    private let control: Channel
    private let closedFuture: EventLoopFuture<TunnelError>

    private init(channel: Channel, control: Channel, messages: AsyncStream<RelayMessage>, refusals: RefusalBook,
                 lastWord: RelayLastWord, closed: EventLoopFuture<TunnelError>) {
        self.channel = channel
        self.refusals = refusals
        self.lastWord = lastWord
        self.control = control
        self.messages = messages
        self.closedFuture = closed
    }

    /// Dials, checks the host key, authenticates and opens the control session.
    static func connect(
        group: any EventLoopGroup, target: TunnelTarget, router: Router,
        onLocalRefused: @escaping VisitorBridge.RefusalReport
    ) async throws -> SSHTunnelConnection {
        let loop = group.next()
        let authenticated = loop.makePromise(of: Void.self)
        let closed = loop.makePromise(of: TunnelError.self)
        let refusal = TunnelError.keyRefused(relay: target.relayDescription,
                                             fingerprint: target.identity.fingerprint)
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                // Pings find a dead relay in ~15 s; keepalive also covers a relay without burrow-control.
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        var configuration = SSHClientConfiguration(
                            userAuthDelegate: PublicKeyAuthDelegate(
                                user: target.user, key: NIOSSHPrivateKey(ed25519Key: target.identity.privateKey), refusal: refusal),
                            serverAuthDelegate: HostKeyDelegate(policy: target.hostKeyPolicy, relay: target.relayDescription))
                        configuration.maximumPacketSize = maximumPacketSize
                        let ssh = NIOSSHHandler(
                            role: .client(configuration), allocator: channel.allocator,
                            inboundChildChannelInitializer: { child, type in
                                acceptChild(child, type: type, router: router, onLocalRefused: onLocalRefused)
                            })
                        // The flushes of all visitors' child channels in one tick leave in one write(2).
                        try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
                        try channel.pipeline.syncOperations.addHandler(ssh)
                        try channel.pipeline.syncOperations.addHandler(ConnectionStateHandler(
                            authenticated: authenticated, closed: closed, handshakeTimeout: .seconds(15)))
                    }
                }
                .connect(host: target.host, port: target.port)
                .get()
        } catch {
            throw TunnelError.connectionClosed("cannot reach relay \(target.relayDescription): \(describe(error))")
        }
        do {
            try await authenticated.futureResult.get()
        } catch let error as TunnelError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            throw TunnelError.connectionClosed("SSH handshake with \(target.relayDescription) failed: \(describe(error))")
        }

        let (messages, continuation) = AsyncStream.makeStream(of: RelayMessage.self)
        let refusals = RefusalBook()
        let lastWord = RelayLastWord()
        let control: Channel
        do {
            control = try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Channel> in
                let promise = channel.eventLoop.makePromise(of: Channel.self)
                do {
                    let ssh = try channel.pipeline.syncOperations.handler(type: NIOSSHHandler.self)
                    ssh.createChannel(promise, channelType: .session) { child, _ in
                        child.eventLoop.makeCompletedFuture {
                            try child.pipeline.syncOperations.addHandler(ControlChannelHandler(
                                messages: continuation, refusals: refusals, lastWord: lastWord, instance: target.instance, connection: target.connection))
                        }
                    }
                } catch {
                    promise.fail(error)
                }
                return promise.futureResult
            }.get()
        } catch {
            continuation.finish()
            channel.close(promise: nil)
            throw TunnelError.connectionClosed("relay \(target.relayDescription) refused the control session: \(describe(error))")
        }
        return SSHTunnelConnection(channel: channel, control: control, messages: messages, refusals: refusals, lastWord: lastWord, closed: closed.futureResult)
    }

    /// NIOSSH's inbound child channel initializer: only `forwarded-tcpip`
    /// channels for a known mapping are accepted.
    private static func acceptChild(
        _ child: Channel, type: SSHChannelType, router: Router, onLocalRefused: @escaping VisitorBridge.RefusalReport
    ) -> EventLoopFuture<Void> {
        guard case .forwardedTCPIP(let forwarded) = type else {
            return child.eventLoop.makeFailedFuture(TunnelError.connectionClosed("the agent accepts only forwarded-tcpip channels"))
        }
        guard let route = router.route(host: forwarded.listeningHost, port: forwarded.listeningPort) else {
            return child.eventLoop.makeFailedFuture(TunnelError.connectionClosed("no mapping for \(forwarded.listeningHost):\(forwarded.listeningPort)"))
        }
        return VisitorBridge.attach(child, route: route, originator: forwarded.originatorAddress, onLocalRefused: onLocalRefused)
    }

    /// Asks the relay to listen (`tcpip-forward`); returns the bound port the relay reports, if any.
    func forward(host: String, port: Int) async throws -> Int? {
        try await globalRequest(.listen(host: host, port: port))?.boundPort
    }

    /// `cancel-tcpip-forward`.
    func cancel(host: String, port: Int) async throws {
        _ = try await globalRequest(.cancel(host: host, port: port))
    }

    private func globalRequest(_ request: GlobalRequest.TCPForwardingRequest) async throws -> GlobalRequest.TCPForwardingResponse? {
        let channel = self.channel
        // A registration that waited out its connection (the engine stopped,
        // its event loops shut down) must not submit to a dead loop: NIO
        // would drop the task and its promise (a crash in debug builds).
        guard channel.isActive else { throw TunnelError.connectionClosed("the connection to the relay is closed") }
        return try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<GlobalRequest.TCPForwardingResponse?> in
            let promise = channel.eventLoop.makePromise(of: GlobalRequest.TCPForwardingResponse?.self)
            do {
                try channel.pipeline.syncOperations.handler(type: NIOSSHHandler.self)
                    .sendTCPForwardingRequest(request, promise: promise)
            } catch {
                promise.fail(error)
            }
            return promise.futureResult
        }.get()
    }

    func send(_ message: AgentMessage) {
        control.writeAndFlush(ByteBuffer(string: ControlCodec.encode(message) + "\n"), promise: nil)
    }

    /// Waits until the connection is gone; returns why.
    func closed() async -> TunnelError {
        lastWord.explain((try? await closedFuture.get()) ?? .connectionClosed("connection lost"))
    }

    var controlIsOpen: Bool { control.isActive }

    func close() {
        // Once the engine has released its event loops the channel is closed
        // already, and asking a stopped loop to close it is what NIO reports
        // ("Cannot schedule tasks on an EventLoop that has already shut down")
        // and, with SWIFTNIO_STRICT, traps on.
        guard channel.isActive else { return }
        channel.close(promise: nil)
    }

    /// A short human reason for an error from NIO or NIOSSH.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as TunnelError:
            return error.description
        case let error as NIOConnectionError:
            let causes = error.connectionErrors.map { describe($0.error) }
            if let dnsError = error.dnsAAAAError ?? error.dnsAError, causes.isEmpty { return "cannot resolve \(error.host): \(dnsError)" }
            return causes.first ?? "cannot connect to \(error.host):\(error.port)"
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset"
            case ETIMEDOUT: return "connection timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            default: return error.description
            }
        case is ChannelError:
            if case ChannelError.connectTimeout = error { return "connection timed out" }
            return "\(error)"
        default:
            return "\(error)"
        }
    }
}
