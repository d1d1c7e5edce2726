import BurrowCore
import BurrowNIO
import NIOCore
import NIOHTTP1

/// Routes one HTTP visitor by its `Host` header and then watches every
/// request of the connection. It sits behind NIOHTTP1's request decoder; on
/// the first head it checks the mapping's access rules (address → 403,
/// basic auth → 401, before a byte goes to the agent), opens a
/// `forwarded-tcpip` channel of the owning session, and puts a
/// `ForwardedHeadersRewriter` and the glue behind itself. Unknown name → 404;
/// a reserved name whose agent is away → 502.
///
/// Every later head on the connection passes the same checks as the first
/// (`HTTPRequestCheck` → 400, size → 431, deadline → 408 in
/// `HTTPHeadLimiter`); one naming another mapping gets 421, never the first
/// mapping's service. Anything the decoder cannot read gets 400 and the
/// connection closes: the tunnel never gets bytes the relay did not check.
///
/// The service's responses pass through here on their way out, unchanged,
/// and an `HTTPResponseFramer` follows them: after an `Upgrade` or `CONNECT`
/// request nothing more is read until the service answers; only a 101 (a 2xx
/// to `CONNECT`) turns the connection into raw bytes, anything else and the
/// visitor's next bytes are parsed and rewritten like any request. Between
/// requests (every response complete) the connection is idle: closed after
/// `httpKeepAliveTimeoutSeconds`, or at once when a new visitor needs its slot.
final class HTTPRouter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// Waiting for the first head.
        case routing
        /// The tunnel is opening; parts wait in `queued`.
        case opening
        /// Spliced; every request is checked and rewritten.
        case http
        /// An upgrade request went out: nothing is read until its answer.
        case awaitingVerdict
        /// The service accepted an upgrade: bytes pass unparsed both ways.
        case raw
        /// The relay answered (or closed); nothing more is read.
        case done
    }

    private let relay: RelayContext
    private var phase = Phase.routing
    /// Parts decoded while the tunnel opens (the first head among them), or
    /// while an upgrade waits for its answer; handled once it is known.
    private var queued: [HTTPServerRequestPart] = []
    /// Bounds each head's bytes and time, and a body's framing.
    private let headLimiter: HTTPHeadLimiter
    /// The mapping this connection was routed to (its host name), and its rules.
    private var host = ""
    /// The first request's `Host` header as sent: a later one equal to it
    /// names `host` without being parsed again.
    private var routedHostHeader = ""
    private var policy = AccessPolicy.open
    private var holder: ForwardRegistry.Holder?
    private var requests = 0
    /// Between a head and its `.end`.
    private var inRequest = false
    /// The request in progress is an `Upgrade` or `CONNECT`.
    private var upgradeRequested = false
    /// The service's answer to it, when it came before the request's end.
    private var earlyVerdict: HTTPResponseFramer.Verdict?
    private var framer = HTTPResponseFramer()
    /// A read asked for while the tunnel opened, or while an upgrade waited
    /// for its answer: nothing more is read from the visitor until then (held
    /// here, not by turning `autoRead` off and on: no option round trips, no
    /// promises per visitor).
    private var heldRead = false
    /// The connection sits between requests.
    private var idle = false
    /// The last request asked for the connection to end after its response
    /// (`Connection: close`, or HTTP/1.0 without keep-alive): the relay, the
    /// visitor's server, closes once that response is out (RFC 9112 §9.6),
    /// whatever the service behind the tunnel does with its own connection.
    private var closeAfterResponse = false
    /// Closes the connection after `httpKeepAliveTimeoutSeconds` between
    /// requests (armed per request, no task per request; made when first
    /// armed: a visitor with one request never needs it).
    private var keepAliveTimer: RearmableTimer?
    /// How the gate closes this visitor when it reaps it between requests (made once, not per request).
    private var closeWhenReaped: @Sendable () -> Void = {}
    /// This visitor's id for the gate's idle table.
    private let visitorID: UInt64
    private var context: ChannelHandlerContext?

    /// "https" behind the relay's TLS termination: what X-Forwarded-Proto and Forwarded say.
    private let scheme: String
    /// Behind termination: the name the visitor's TLS handshake was for. A
    /// request for another host on that connection gets 421 (RFC 9110
    /// §15.5.20): one name's certificate never fronts another name.
    private let serverName: String?
    /// Where the handlers that must see every visitor byte go (idle timer,
    /// bandwidth): nearest the socket, or on an HTTP/2 stream right behind
    /// the `HTTP2StreamBridge` (in front of it are frames, not bytes).
    private let socketSide: ChannelPipeline.SynchronousOperations.Position

    init(
        relay: RelayContext, headLimiter: HTTPHeadLimiter, scheme: String = "http", serverName: String? = nil,
        socketSide: ChannelPipeline.SynchronousOperations.Position = .first
    ) {
        self.relay = relay
        self.headLimiter = headLimiter
        self.visitorID = relay.makeID()
        self.scheme = scheme
        self.serverName = serverName
        self.socketSide = socketSide
    }

    /// The pipeline an accepted HTTP visitor starts with (`scheme` "https"
    /// when it comes decrypted from the TLS port).
    static func install(
        on channel: any Channel, relay: RelayContext, scheme: String = "http", serverName: String? = nil,
        socketSide: ChannelPipeline.SynchronousOperations.Position = .first
    ) throws {
        let headLimiter = HTTPHeadLimiter(
            maximum: relay.limits.httpHeadMaxBytes, timeoutSeconds: relay.limits.httpHeadTimeoutSeconds)
        try channel.pipeline.syncOperations.addHandlers([
            headLimiter,
            makeDecoder(relay),
            HTTPRouter(relay: relay, headLimiter: headLimiter, scheme: scheme, serverName: serverName, socketSide: socketSide),
        ])
    }

    /// NIOHTTP1's decoder, bounded like the first head for every later one.
    /// `.forwardBytes`: after an accepted upgrade the router removes it and
    /// what it held goes on raw.
    private static func makeDecoder(_ relay: RelayContext) -> ByteToMessageHandler<HTTPRequestDecoder> {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = relay.limits.httpHeadMaxBytes
        limits.maxHeaderListSize = relay.limits.httpHeadMaxBytes
        return ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes, limitConfiguration: limits))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let channel = context.channel
        closeWhenReaped = { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        keepAliveTimer?.cancel()
        self.context = nil
    }

    // MARK: visitor → service

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .raw:
            // Bytes (the decoder's leftovers included), no longer HTTP parts.
            context.fireChannelRead(data)
        case .done:
            return
        case .routing:
            guard case .head(let head) = Self.unwrapInboundIn(data) else { return }
            headLimiter.headReceived()
            queued.append(.head(head))
            route(context, head)
        case .opening, .awaitingVerdict:
            let part = Self.unwrapInboundIn(data)
            if case .body = part { headLimiter.bodyProgress() }
            queued.append(part)
        case .http:
            handle(context, Self.unwrapInboundIn(data))
        }
    }

    /// One part of a spliced connection.
    private func handle(_ context: ChannelHandlerContext, _ part: HTTPServerRequestPart) {
        switch part {
        case .head(let head):
            headLimiter.headReceived()
            becomeBusy()
            requests += 1
            if requests > 1, let refusal = laterHeadRefusal(head) {
                refusal(context)
                return
            }
            inRequest = true
            closeAfterResponse = !head.isKeepAlive
            upgradeRequested = head.method == .CONNECT || Self.asksUpgrade(head)
            earlyVerdict = nil
            framer.requestSent(
                head.method == .CONNECT ? .connect : upgradeRequested ? .upgrade : head.method == .HEAD ? .head : .plain)
            context.fireChannelRead(Self.wrapInboundOut(part))
        case .body:
            headLimiter.bodyProgress()
            context.fireChannelRead(Self.wrapInboundOut(part))
        case .end:
            inRequest = false
            context.fireChannelRead(Self.wrapInboundOut(part))
            guard upgradeRequested else {
                headLimiter.expectHead()
                checkIdle(context)
                return
            }
            upgradeRequested = false
            phase = .awaitingVerdict
            headLimiter.pause()
            if let verdict = earlyVerdict {
                earlyVerdict = nil
                apply(verdict, context)
            }
        }
    }

    /// The checks a later head of a kept-alive connection must pass (the
    /// first one's are in `route`); nil lets it through.
    private func laterHeadRefusal(_ head: HTTPRequestHead) -> ((ChannelHandlerContext) -> Void)? {
        if let problem = HTTPRequestCheck.problem(head) {
            return { self.respond($0, HTTPErrorPage.badRequest(problem)) }
        }
        if Self.headSize(head) > relay.limits.httpHeadMaxBytes {
            return { [relay] in self.respond($0, HTTPErrorPage.headTooLarge(maximum: relay.limits.httpHeadMaxBytes)) }
        }
        guard let laterHost = head.headers.first(name: "host"), !laterHost.isEmpty else {
            return { self.respond($0, HTTPErrorPage.badRequest("The request has no Host header; the relay routes by it.")) }
        }
        let later = laterHost == routedHostHeader ? host : Self.hostName(laterHost)
        if later != host {
            relay.log("HTTP visitor \(Self.visitorName(context)): a request for \(later) on a connection routed to \(host); answered 421")
            return { self.respond($0, HTTPErrorPage.misdirected(host: later, routed: self.host)) }
        }
        if let rule = policy.basicAuth,
           !BasicAuthCheck.verify(authorization: head.headers.first(name: "authorization"), rule: rule) {
            relay.log("HTTP visitor \(Self.visitorName(context)): request \(requests) of a keep-alive connection without valid basic auth; closing")
            return { context in
                self.phase = .done
                context.close(promise: nil)
            }
        }
        return nil
    }

    /// llhttp's rule: an `Upgrade` header and `upgrade` among the `Connection` tokens.
    static func asksUpgrade(_ head: HTTPRequestHead) -> Bool {
        head.headers.contains(name: "upgrade")
            && head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Bytes after a request that said `Connection: close`: that request is
        // still being answered and the connection closes after its response
        // (RFC 9112 §9.6), so they are dropped, never answered with a 400 that
        // would take the real response's place.
        if case HTTPParserError.closedConnection? = error as? HTTPParserError, phase != .routing {
            return
        }
        switch phase {
        case .done:
            return
        case .raw:
            context.fireErrorCaught(error)
            return
        case .routing:
            break
        case .opening, .http, .awaitingVerdict:
            // A reset or a write error: nothing to answer.
            guard Self.isAboutTheRequest(error) else {
                phase = .done
                context.close(promise: nil)
                return
            }
        }
        if phase != .routing {
            relay.log("HTTP visitor \(Self.visitorName(context)): \(Self.describe(error)) on a kept-alive connection; answered and closed")
        }
        switch error {
        case let tooLarge as HTTPHeadTooLarge:
            respond(context, HTTPErrorPage.headTooLarge(maximum: tooLarge.maximum))
        case HTTPParserError.headerOverflow:
            respond(context, HTTPErrorPage.headTooLarge(maximum: relay.limits.httpHeadMaxBytes))
        case let timeout as HTTPHeadTimeout:
            respond(context, HTTPErrorPage.requestTimeout(seconds: timeout.seconds))
        case let framing as HTTPFramingTooLarge:
            respond(context, HTTPErrorPage.badRequest(
                "The request's chunk framing (sizes, extensions, trailers) ran past \(framing.maximum) bytes without data."))
        default:
            respond(context, HTTPErrorPage.badRequest("The relay could not read this HTTP request (\(error))."))
        }
    }

    /// The visitor's bytes are at fault (not the socket): they get an answer.
    private static func isAboutTheRequest(_ error: any Error) -> Bool {
        error is HTTPParserError || error is HTTPHeadTooLarge || error is HTTPHeadTimeout || error is HTTPFramingTooLarge
            || error is ByteToMessageDecoderError
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case is HTTPHeadTooLarge, HTTPParserError.headerOverflow: return "a request head too large"
        case is HTTPHeadTimeout: return "a request head too slow"
        default: return "an unreadable request (\(error))"
        }
    }

    // MARK: service → visitor

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch phase {
        case .http, .awaitingVerdict:
            let verdict = framer.consume(Self.unwrapOutboundIn(data))
            context.write(data, promise: promise)
            if let verdict {
                if phase == .awaitingVerdict {
                    apply(verdict, context)
                } else {
                    earlyVerdict = verdict
                }
            } else if phase == .awaitingVerdict, framer.isLost {
                apply(.declined, context)
            }
            checkIdle(context)
        default:
            context.write(data, promise: promise)
        }
    }

    func read(context: ChannelHandlerContext) {
        if phase == .awaitingVerdict || phase == .opening {
            heldRead = true
            return
        }
        context.read()
    }

    /// The service answered the upgrade request.
    private func apply(_ verdict: HTTPResponseFramer.Verdict, _ context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else {
            respond(context, HTTPErrorPage.badRequest("The relay lost this connection's HTTP decoder."))
            return
        }
        switch verdict {
        case .accepted:
            // Parts decoded past the upgrade would be bytes of the new protocol read as HTTP.
            guard queued.isEmpty else {
                phase = .done
                context.close(promise: nil)
                return
            }
            // From here on the bytes are another protocol's: nothing parses or rewrites them.
            phase = .raw
            if let rewriter = try? pipeline.handler(type: ForwardedHeadersRewriter.self) {
                pipeline.removeHandler(rewriter, promise: nil)
            }
        case .declined:
            // Still HTTP: what the visitor sent after the request is parsed
            // afresh (the paused decoder cannot resume), every head checked and rewritten.
            phase = .http
            headLimiter.expectHead()
            do {
                try pipeline.addHandler(Self.makeDecoder(relay), position: .after(decoder))
            } catch {
                respond(context, HTTPErrorPage.badRequest("The relay could not go on reading this connection."))
                return
            }
            let parts = queued
            queued = []
            for part in parts where phase == .http { handle(context, part) }
        }
        // The decoder hands over what it holds beyond the request
        // (`.forwardBytes`): as raw bytes, or into the fresh decoder. They
        // arrive as a read with no read-complete; the glue sends a burst on
        // at read-complete, so complete it here.
        let removed = context.eventLoop.makePromise(of: Void.self)
        let loopContext = context.loopBound
        removed.futureResult.whenComplete { _ in loopContext.value.fireChannelReadComplete() }
        pipeline.removeHandler(decoder, promise: removed)
        if heldRead {
            heldRead = false
            context.read()
        }
        checkIdle(context)
    }

    // MARK: idle between requests

    private func checkIdle(_ context: ChannelHandlerContext) {
        guard phase == .http, !idle, !inRequest, framer.isIdle, let holder else { return }
        if closeAfterResponse {
            phase = .done
            context.flush()
            context.close(promise: nil)
            return
        }
        idle = true
        relay.visitorGate.idle(visitor: visitorID, key: holder.key, forwardID: holder.mappingID, close: closeWhenReaped)
        if keepAliveTimer == nil {
            keepAliveTimer = RearmableTimer(loop: context.eventLoop) { self.keepAliveExpired() }
        }
        keepAliveTimer?.arm(in: .fromSeconds(relay.limits.httpKeepAliveTimeoutSeconds))
    }

    private func keepAliveExpired() {
        guard idle, let context else { return }
        phase = .done
        context.close(promise: nil)
    }

    private func becomeBusy() {
        guard idle else { return }
        idle = false
        keepAliveTimer?.disarm()
        relay.visitorGate.busy(visitor: visitorID)
    }

    // MARK: the first head

    private func route(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        if let problem = HTTPRequestCheck.problem(head) {
            respond(context, HTTPErrorPage.badRequest(problem))
            return
        }
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
        // An ACME server validating a name (HTTP-01): the token is the secret, whatever the host.
        if head.method == .GET, let answer = relay.configuration.challengeBoard?.httpAnswer(path: head.uri) {
            respond(context, ACMEChallengeAnswer.response(answer))
            return
        }
        if let serverName, host != serverName {
            relay.metrics.refused("misdirected")
            respond(context, HTTPErrorPage.misdirected(host: host, routed: serverName))
            return
        }
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
        // Sent to https before anything else is asked (credentials then travel encrypted).
        if scheme == "http", holder.policy.httpsRedirect, let location = httpsLocation(host: host, target: head.uri) {
            respond(context, HTTPErrorPage.redirect(to: location))
            return
        }
        let authorization = head.headers.first(name: "authorization")
        if let refusal = VisitorAdmission.admit(
            context.channel, holder: holder, port: scheme == "https" ? "HTTPS" : "HTTP", url: host, relay: relay, visitorID: visitorID,
            authorized: { holder.policy.basicAuth.map { BasicAuthCheck.verify(authorization: authorization, rule: $0) } ?? true }
        ) {
            switch refusal {
            case .shuttingDown:
                refuse(context, holder, name: name, head: head, status: 503, HTTPErrorPage.unavailable())
            case .addressNotAllowed:
                refuse(context, holder, name: name, head: head, status: 403, HTTPAccessPage.forbidden(host: host))
            case .unauthorized:
                refuse(context, holder, name: name, head: head, status: 401, HTTPAccessPage.unauthorized(host: host))
            case .limit(let limit):
                refuse(context, holder, name: name, head: head, status: 503, HTTPErrorPage.overLimit(host: host, reason: limit.description))
            }
            return
        }
        self.host = host
        self.routedHostHeader = hostHeader
        self.policy = holder.policy
        self.holder = holder
        splice(context, to: holder, host: host)
    }

    /// About the bytes of the head as sent: request line and header lines.
    static func headSize(_ head: HTTPRequestHead) -> Int {
        head.headers.reduce(head.uri.utf8.count + 16) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    /// `Demo.Example.com:8080` → `demo.example.com` (also `[::1]:80` → `::1`, trailing dot dropped).
    /// `https://HOST[:TLS_PORT]TARGET` when this relay terminates https for
    /// `host` now (a certificate is ready), else nil: no redirect to a URL
    /// that would fail.
    private func httpsLocation(host: String, target: String) -> String? {
        let tlsPort = relay.tlsPort.load(ordering: .relaxed)
        guard tlsPort > 0, relay.configuration.certificates?.serving(host) != nil else { return nil }
        let path = target.hasPrefix("/") ? target : "/"
        return "https://\(host)\(tlsPort == 443 ? "" : ":\(tlsPort)")\(path)"
    }

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

    private static func visitorName(_ context: ChannelHandlerContext?) -> String {
        context?.channel.remoteAddress?.ipAddress ?? "?"
    }

    private func splice(_ context: ChannelHandlerContext, to holder: ForwardRegistry.Holder, host: String) {
        phase = .opening
        relay.track(visitor: context.channel)
        let router = LoopHandoff(self, loop: context.eventLoop)
        let contextHandoff = LoopHandoff(context, loop: context.eventLoop)
        VisitorSplice.open(context.channel, to: holder, relay: relay, pauseReading: false) { glue in
            router.value.tunnelOpened(contextHandoff.value, glue: glue?.value, holder: holder, host: host)
        }
    }

    private func tunnelOpened(_ context: ChannelHandlerContext, glue: GlueHandler?, holder: ForwardRegistry.Holder, host: String) {
        guard context.channel.isActive, phase == .opening else {
            // The visitor left (or was answered) while the tunnel opened: close the SSH side too.
            glue?.abandon()
            return
        }
        guard let glue else {
            respond(context, HTTPErrorPage.offline(host: host))
            return
        }
        let pipeline = context.pipeline.syncOperations
        do {
            // decoder → router → rewriter → glue: the glue gets rewritten
            // heads and body buffers; its writes to the visitor pass the
            // router (which follows the responses) and no other HTTP handler.
            let rewriter = ForwardedHeadersRewriter(visitor: context.channel.remoteAddress, policy: policy, scheme: scheme)
            try pipeline.addHandler(rewriter, position: .after(self))
            try pipeline.addHandler(glue, position: .after(rewriter))
            // Nearest the socket: they must see every byte both ways.
            try pipeline.addHandlers(VisitorSplice.edgeHandlers(holder, relay: relay), position: socketSide)
        } catch {
            glue.abandon()
            context.close(promise: nil)
            return
        }
        phase = .http
        let parts = queued
        queued = []
        // The first head was checked by `route`; it is request 1 here.
        for part in parts {
            guard phase == .http else { break }
            handle(context, part)
        }
        if phase == .http || phase == .awaitingVerdict { context.fireChannelReadComplete() }
        // The read held while the tunnel opened, asked again from the tail
        // (through the glue, which asks only while the tunnel can take more).
        if heldRead, phase == .http {
            heldRead = false
            context.channel.read()
        }
    }

    /// Every refusal of a visitor whose mapping is known (401, 403, 503) passes
    /// here. The hook for telling the owning agent (a `requestRefused` control
    /// message, on `holder.session`) belongs at this one place; 429 is decided
    /// before any routing (`RelayContext.refuseByRate`) and has no mapping.
    private func refuse(
        _ context: ChannelHandlerContext, _ holder: ForwardRegistry.Holder, name: String, head: HTTPRequestHead,
        status: Int, _ page: String
    ) {
        let visitor = context.channel.remoteAddress.map { address -> String in
            guard let ip = address.ipAddress else { return "" }
            let port = address.port.map(String.init) ?? "0"
            return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        } ?? ""
        let refused = RefusedRequest(name: name, status: status, method: head.method.rawValue,
                                     target: String(head.uri.prefix(1024)), visitor: visitor)
        holder.session.run { $0.tellAgentRefused(refused) }
        respond(context, page)
    }

    private func respond(_ context: ChannelHandlerContext, _ response: String) {
        phase = .done
        becomeBusy()
        var buffer = context.channel.allocator.buffer(capacity: response.utf8.count)
        buffer.writeString(response)
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }
}
