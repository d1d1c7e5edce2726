import BurrowCore
import BurrowNIO
import NIOCore
import NIOPosix

/// Connects a visitor's channel to the mapping's local address once the
/// visitor channel is active (so a refusal can still be answered on it), and
/// adds the local half of the glue pair to the new connection. If the local
/// service refuses, HTTP visitors get a `502` page; every visitor's channel
/// is closed and `onRefused` reports it.
final class LocalDialer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let route: Route
    private let localSide: GlueHandler
    private let onRefused: VisitorBridge.RefusalReport
    /// The visitor's address, for a PROXY protocol header.
    private let originator: SocketAddress?
    private var dialed = false
    /// The dial failed: the visitor's request is answered with a 502 (HTTP).
    private var refusing = false
    private var answered = false
    private var sawRequestBytes = false
    private var context: ChannelHandlerContext?
    /// A pooled mapping's local connection, made before the channel was accepted.
    private var connected: (any Channel)?

    init(
        route: Route, localSide: GlueHandler, onRefused: @escaping VisitorBridge.RefusalReport, originator: SocketAddress? = nil,
        connected: (any Channel)? = nil
    ) {
        self.connected = connected
        self.route = route
        self.localSide = localSide
        self.onRefused = onRefused
        self.originator = originator
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { dial(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        dial(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refusing {
            answerRefusal(context.channel)
            return
        }
        sawRequestBytes = true
        context.fireChannelRead(data)
    }

    private func dial(context: ChannelHandlerContext) {
        guard !dialed else { return }
        dialed = true
        let child = context.channel
        let loop = context.eventLoop
        let localSide = NIOLoopBound(self.localSide, eventLoop: loop)
        let dialer = NIOLoopBound(self, eventLoop: loop)
        let route = self.route
        let onRefused = self.onRefused
        let originator = self.originator
        let preDialed = connected != nil
        let connecting = connected.map { loop.makeSucceededFuture($0) } ?? Self.connect(route.local, on: loop)
        connected = nil
        connecting
            .whenComplete { result in
                switch result {
                case .success(let local):
                    route.stats.localDialed(succeeded: true)
                    guard child.isActive else {
                        // The visitor left while we were connecting.
                        local.close(promise: nil)
                        return
                    }
                    do {
                        if let version = route.proxyProtocol, let originator {
                            // Before the glue exists, so it is the first thing the service reads.
                            let header = ProxyProtocolHeader.make(
                                version, source: originator, destination: local.remoteAddress, allocator: local.allocator)
                            local.writeAndFlush(header, promise: nil)
                        }
                        try local.pipeline.syncOperations.addHandler(localSide.value)
                        if preDialed { local.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in local.close(promise: nil) } }
                        // Joined: nothing is left for the dialer to do, and every later message would pass it.
                        dialer.value.leave()
                    } catch {
                        local.close(promise: nil)
                        child.close(promise: nil)
                    }
                case .failure(let error):
                    route.stats.localDialed(succeeded: false)
                    onRefused(route.mapping, route.local, error)
                    dialer.value.refuse(child)
                }
            }
    }

    /// Leaves the visitor's pipeline once the glue pair is joined.
    private func leave() {
        guard let context else { return }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// `autoRead` false: a connection made before its glue exists reads
    /// nothing (a service that speaks first loses no bytes) until `dial` joins it.
    /// An IP address (the usual 127.0.0.1) is connected to directly; only a
    /// name goes through `resolver` (NIO's getaddrinfo by default) and Happy
    /// Eyeballs, each visitor anew, so a name that moves is followed.
    static func connect(
        _ local: LocalAddress, on loop: any EventLoop, autoRead: Bool = true, resolver: (any Resolver & Sendable)? = nil
    ) -> EventLoopFuture<any Channel> {
        // Only what differs from NIO's defaults (TCP_NODELAY is one of them, auto-read
        // another): the bootstrap re-copies and type-checks its whole list per option added, per visitor.
        var bootstrap = ClientBootstrap(group: loop)
            .channelOption(.recvAllocator, value: VisitorReceiveBuffers.allocator)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(10))
        if !autoRead { bootstrap = bootstrap.channelOption(.autoRead, value: false) }
        if let address = ipAddress(local) { return bootstrap.connect(to: address) }
        if let resolver { return bootstrap.resolver(resolver).connect(host: local.host, port: local.port) }
        return bootstrap.connect(host: local.host, port: local.port)
    }

    /// `local` as a socket address when its host is an IPv4 or IPv6 address (no lookup needed).
    static func ipAddress(_ local: LocalAddress) -> SocketAddress? {
        try? SocketAddress(ipAddress: local.host, port: local.port)
    }

    /// HTTP: the 502 answers the visitor's request, so it waits for the
    /// request's first bytes (the tap then lists the request, answered by
    /// the agent); a visitor that sends nothing is closed after 5 s.
    private func refuse(_ child: Channel) {
        guard route.protocol == .http else {
            child.close(promise: nil)
            return
        }
        refusing = true
        if sawRequestBytes {
            answerRefusal(child)
        } else {
            // The glue reads only once its partner exists: ask for the request from here.
            context?.read()
            child.eventLoop.scheduleTask(in: .seconds(5)) { child.close(promise: nil) }
        }
    }

    private func answerRefusal(_ child: Channel) {
        guard !answered else { return }
        answered = true
        child.writeAndFlush(Self.badGatewayPage(local: route.local)).whenComplete { _ in
            child.close(mode: .output, promise: nil)
            child.close(promise: nil)
        }
    }

    /// The page a visitor sees when the local service does not answer.
    static func badGatewayPage(local: LocalAddress) -> ByteBuffer {
        let body = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>502 Bad Gateway</title></head>
            <body><h1>502 Bad Gateway</h1>
            <p>The Burrow tunnel reached this computer, but the local service on \(local) refused the connection.</p>
            <p>Start the service, or point the mapping at the right port.</p>
            </body></html>

            """
        let head = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\nX-Burrow-Error: local-service-refused\r\n\r\n"
        return ByteBuffer(string: head + body)
    }
}
