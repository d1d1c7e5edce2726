import NIOCore
import NIOHTTP1

/// Routes one HTTP visitor by its `Host` header. It sits behind NIOHTTP1's
/// request decoder; on the first head it checks the mapping's access rules
/// (address → 403, basic auth → 401, before a byte goes to the agent), opens
/// a `forwarded-tcpip` channel of the owning session, and puts a
/// `ForwardedHeadersRewriter` and the glue behind itself: every request of
/// the connection then reaches the tunnel with the visitor's real address in
/// its head, bodies as read. Unknown name → 404; a reserved name whose agent
/// is away → 502.
final class HTTPRouter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let relay: RelayContext
    private var routed = false
    /// Parts decoded while the tunnel opens (the first head among them), replayed once it is up.
    private var queued: [HTTPServerRequestPart] = []
    private var spliced = false
    private var headTimeout: Scheduled<Void>?
    /// Bounds the first head's bytes; disarmed once the head is here.
    private let headLimiter: HTTPHeadLimiter
    /// The mapping's bandwidth cap, once routed.
    private var bandwidth: TokenBucket?

    init(relay: RelayContext, headLimiter: HTTPHeadLimiter) {
        self.relay = relay
        self.headLimiter = headLimiter
    }

    /// The pipeline an accepted HTTP visitor starts with.
    static func install(on channel: any Channel, relay: RelayContext) throws {
        let headLimiter = HTTPHeadLimiter(maximum: relay.limits.httpHeadMaxBytes)
        try channel.pipeline.syncOperations.addHandlers([
            headLimiter,
            // .forwardBytes: after an Upgrade/CONNECT the rewriter removes the
            // decoder and what it held goes on raw.
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)),
            HTTPRouter(relay: relay, headLimiter: headLimiter),
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
        if spliced {
            context.fireChannelRead(data)
            return
        }
        let part = Self.unwrapInboundIn(data)
        if routed {
            queued.append(part)
            return
        }
        guard case .head(let head) = part else { return }
        routed = true
        headTimeout?.cancel()
        headLimiter.disarm()
        queued.append(part)
        route(context, head)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A later request the decoder cannot read ends the connection: the
        // tunnel must never get bytes the relay did not check.
        if spliced {
            relay.log("HTTP visitor \(context.channel.remoteAddress?.ipAddress ?? "?"): unreadable request on a kept-alive connection (\(error)); closing")
            context.close(promise: nil)
            return
        }
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
            relay.metrics.refused("unknown_name")
            respond(context, HTTPErrorPage.notFound(host: host, domain: domain))
            return
        }
        let name = String(host.dropLast(suffix.count))
        guard let holder = relay.registry.httpHolder(name) else {
            if relay.reservations.owner(ofName: name) != nil {
                relay.metrics.refused("tunnel_offline")
            respond(context, HTTPErrorPage.offline(host: host))
            } else {
                relay.metrics.refused("unknown_name")
            respond(context, HTTPErrorPage.notFound(host: host, domain: domain))
            }
            return
        }
        guard relay.accepting.load(ordering: .relaxed) else {
            respond(context, HTTPErrorPage.unavailable())
            return
        }
        guard holder.policy.admits(context.channel.remoteAddress) else {
            relay.log("HTTP visitor \(context.channel.remoteAddress?.ipAddress ?? "?") refused for \(host): address not allowed")
            relay.metrics.refused("address_not_allowed")
            respond(context, HTTPAccessPage.forbidden(host: host))
            return
        }
        if let rule = holder.policy.basicAuth,
           !BasicAuthCheck.verify(authorization: head.headers.first(name: "authorization"), rule: rule) {
            relay.metrics.refused("basic_auth")
            respond(context, HTTPAccessPage.unauthorized(host: host))
            return
        }
        if let refusal = relay.visitorGate.admit(key: holder.key, forwardID: holder.forwardID) {
            relay.limitBit(refusal, holder: holder, url: host)
            relay.metrics.refused("limit")
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
        bandwidth = holder.bandwidth
        let router = LoopHandoff(self, loop: channel.eventLoop)
        let visitorGlueHandoff = LoopHandoff(visitorGlue, loop: channel.eventLoop)
        let contextHandoff = LoopHandoff(context, loop: channel.eventLoop)
        let originator = channel.remoteAddress
        let policy = holder.policy
        holder.session.run { session in
            session.openChannel(forwardID: holder.forwardID, originator: originator, glue: sshGlueHandoff.value)
                .whenComplete { result in
                    router.run { router in
                        router.tunnelOpened(
                            contextHandoff.value, result.map { _ in () }, glue: visitorGlueHandoff.value, host: host,
                            policy: policy)
                    }
                }
        }
    }

    private func tunnelOpened(
        _ context: ChannelHandlerContext, _ result: Result<Void, any Error>, glue: GlueHandler, host: String,
        policy: AccessPolicy
    ) {
        guard context.channel.isActive else {
            // The visitor left while the tunnel opened: close the SSH side too.
            glue.abandon()
            return
        }
        guard case .success = result else {
            relay.metrics.refused("tunnel_offline")
            respond(context, HTTPErrorPage.offline(host: host))
            return
        }
        let pipeline = context.pipeline.syncOperations
        do {
            // decoder → router (now a pass-through) → rewriter → glue: the glue
            // gets rewritten heads and body buffers; its writes to the visitor
            // pass no HTTP handler on their way out.
            let rewriter = ForwardedHeadersRewriter(
                visitor: context.channel.remoteAddress, policy: policy, log: { [relay] in relay.log($0) })
            try pipeline.addHandler(rewriter, position: .after(self))
            try pipeline.addHandler(glue, position: .after(rewriter))
            // Nearest the socket: they must see every byte both ways.
            if let bandwidth { try pipeline.addHandler(BandwidthThrottle(bucket: bandwidth), position: .first) }
            try pipeline.addHandler(
                VisitorIdleHandler(timeout: .fromSeconds(relay.limits.visitorIdleTimeoutSeconds)), position: .first)
            spliced = true
            let parts = queued
            queued = []
            for part in parts { context.fireChannelRead(Self.wrapInboundOut(part)) }
            context.fireChannelReadComplete()
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
