import NIOCore
import NIOHTTP1

/// Routes one HTTP visitor by its `Host` header. It sits behind NIOHTTP1's
/// request decoder and sees only the head; when the name has a tunnel it
/// removes the HTTP handlers and splices the raw connection (the buffered head
/// first) into a `forwarded-tcpip` channel of the owning session, so
/// keep-alive, chunked bodies and WebSocket upgrades pass through untouched.
/// Unknown name → 404; a reserved name whose agent is away → 502.
final class HTTPRouter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart

    private let relay: RelayContext
    private let headBuffer: HTTPHeadBuffer
    private var routed = false
    private var headTimeout: Scheduled<Void>?
    /// The mapping's bandwidth cap, once routed.
    private var bandwidth: TokenBucket?


    init(relay: RelayContext, headBuffer: HTTPHeadBuffer) {
        self.relay = relay
        self.headBuffer = headBuffer
    }

    /// The pipeline an accepted HTTP visitor starts with.
    static func install(on channel: any Channel, relay: RelayContext) throws {
        let headBuffer = HTTPHeadBuffer(maximum: relay.limits.httpHeadMaxBytes)
        try channel.pipeline.syncOperations.addHandlers([
            headBuffer,
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)),
            HTTPRouter(relay: relay, headBuffer: headBuffer),
        ])
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Slowloris: a visitor that dribbles its head gets 408 and is closed.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let seconds = relay.limits.httpHeadTimeoutSeconds
        headTimeout = context.eventLoop.scheduleTask(in: .fromSeconds(seconds)) {
            let (router, context) = bound.value
            guard !router.routed else { return }
            router.routed = true
            router.respond(context, HTTPErrorPage.requestTimeout(seconds: seconds))
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headTimeout?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !routed, case .head(let head) = Self.unwrapInboundIn(data) else { return }
        routed = true
        headTimeout?.cancel()
        headBuffer.hold()
        route(context, head)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Once the head is known the rest is the tunnel's business.
        guard !routed else { return }
        routed = true
        headTimeout?.cancel()
        if let tooLarge = error as? HTTPHeadTooLarge {
            respond(context, HTTPErrorPage.headTooLarge(maximum: tooLarge.maximum))
            return
        }
        respond(context, HTTPErrorPage.badRequest("The relay could not read this HTTP request (\(error))."))
    }

    private func route(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        // A head that arrived in one read with its body still counts alone.
        if Self.headSize(head) > relay.limits.httpHeadMaxBytes {
            respond(context, HTTPErrorPage.headTooLarge(maximum: relay.limits.httpHeadMaxBytes))
            return
        }
        guard let hostHeader = head.headers.first(name: "host"), !hostHeader.isEmpty else {
            respond(context, HTTPErrorPage.badRequest("The request has no Host header; the relay routes by it."))
            return
        }
        let host = Self.hostName(hostHeader)
        let domain = relay.configuration.domain.lowercased()
        let suffix = "." + domain
        guard host.hasSuffix(suffix), host.count > suffix.count else {
            respond(context, HTTPErrorPage.notFound(host: host, domain: domain))
            return
        }
        let name = String(host.dropLast(suffix.count))
        guard let holder = relay.registry.httpHolder(name) else {
            if relay.reservations.owner(ofName: name) != nil {
                respond(context, HTTPErrorPage.offline(host: host))
            } else {
                respond(context, HTTPErrorPage.notFound(host: host, domain: domain))
            }
            return
        }
        guard relay.accepting.load(ordering: .relaxed) else {
            respond(context, HTTPErrorPage.unavailable())
            return
        }
        if let refusal = relay.visitorGate.admit(key: holder.key, forwardID: holder.forwardID) {
            relay.limitBit(refusal, holder: holder, url: host)
            respond(context, HTTPErrorPage.overLimit(host: host, reason: refusal.description))
            return
        }
        let gate = relay.visitorGate
        context.channel.closeFuture.whenComplete { _ in gate.release(key: holder.key, forwardID: holder.forwardID) }
        splice(context, to: holder, host: host)
    }

    /// About the bytes of the head as sent: request line and header lines.
    static func headSize(_ head: HTTPRequestHead) -> Int {
        head.headers.reduce(head.uri.utf8.count + 16) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    /// `Demo.Example.com:8080` → `demo.example.com` (also `[::1]:80` → `::1`, trailing dot dropped).
    static func hostName(_ header: String) -> String {
        var host = Substring(header.lowercased())
        if host.hasPrefix("[") {
            if let close = host.firstIndex(of: "]") { host = host[host.index(after: host.startIndex)..<close] }
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        if host.hasSuffix(".") { host = host.dropLast() }
        return String(host)
    }

    private func splice(_ context: ChannelHandlerContext, to holder: ForwardRegistry.Holder, host: String) {
        let channel = context.channel
        // Nothing more is read until the tunnel is up; the glue then decides.
        channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in channel.close(promise: nil) }
        relay.track(visitor: channel)
        let (visitorGlue, sshGlue) = GlueHandler.matchedPair(first: channel.eventLoop, second: holder.session.loop)
        let sshGlueHandoff = LoopHandoff(sshGlue, loop: holder.session.loop)
        self.bandwidth = holder.bandwidth
        let router = LoopHandoff(self, loop: channel.eventLoop)
        let visitorGlueHandoff = LoopHandoff(visitorGlue, loop: channel.eventLoop)
        let contextHandoff = LoopHandoff(context, loop: channel.eventLoop)
        let originator = channel.remoteAddress
        holder.session.run { session in
            session.openChannel(forwardID: holder.forwardID, originator: originator, glue: sshGlueHandoff.value)
                .whenComplete { result in
                    router.run { router in
                        router.tunnelOpened(contextHandoff.value, result.map { _ in () }, glue: visitorGlueHandoff.value, host: host)
                    }
                }
        }
    }

    private func tunnelOpened(
        _ context: ChannelHandlerContext, _ result: Result<Void, any Error>, glue: GlueHandler, host: String
    ) {
        guard context.channel.isActive else {
            // The visitor left while the tunnel opened: close the SSH side too.
            glue.abandon()
            return
        }
        guard case .success = result else {
            respond(context, HTTPErrorPage.offline(host: host))
            return
        }
        let pipeline = context.pipeline.syncOperations
        do {
            // The glue goes first, so every later read goes to the tunnel and
            // whatever the HTTP handlers do on their way out flows away from it.
            try pipeline.addHandler(glue, position: .first)
            // In front of the glue, nearest the socket: they must see every byte.
            if let bandwidth { try pipeline.addHandler(BandwidthThrottle(bucket: bandwidth), position: .first) }
            try pipeline.addHandler(
                VisitorIdleHandler(timeout: .fromSeconds(relay.limits.visitorIdleTimeoutSeconds)), position: .first)
            glue.forwardToPartner(headBuffer.takeBuffered())
            _ = pipeline.removeHandler(headBuffer)
            if let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) {
                _ = pipeline.removeHandler(decoder)
            }
            _ = pipeline.removeHandler(context: context)
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        } catch {
            glue.abandon()
            context.close(promise: nil)
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ response: String) {
        var buffer = context.channel.allocator.buffer(capacity: response.utf8.count)
        buffer.writeString(response)
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }
}
