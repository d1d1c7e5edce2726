import NIOCore
import NIOHTTP1

/// The metrics port: `GET /metrics` → Prometheus text, `GET /healthz` → `ok`
/// (while the relay accepts and, in a fleet, reaches its database; else 503
/// with the reason), anything else 404. Behind NIOHTTP1's server
/// pipeline; one response per request, keep-alive as the client asks.
final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let relay: RelayContext
    private var head: HTTPRequestHead?

    init(relay: RelayContext) {
        self.relay = relay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context, head)
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        var status = HTTPResponseStatus.ok
        var contentType = "text/plain; charset=utf-8"
        var body = context.channel.allocator.buffer(capacity: 256)
        switch (head.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            contentType = "text/plain; version=0.0.4; charset=utf-8"
            if let fleet = relay.configuration.fleet { relay.metrics.fleet(databaseUp: fleet.trouble == nil, members: fleet.members.count) }
            body.writeBytes(relay.metrics.exposition())
        case (.GET, "/healthz"), (.HEAD, "/healthz"):
            if let reason = relay.unhealthyReason {
                status = .serviceUnavailable
                body.writeString(reason + "\n")
            } else {
                body.writeString("ok\n")
            }
        default:
            status = .notFound
            body.writeString("not found: try /metrics or /healthz\n")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        let keepAlive = head.isKeepAlive
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if head.version.major == 1, head.version.minor == 0 {
            // HTTP/1.0 closes by default: say that this one stays open (RFC 9112 §9.3).
            headers.add(name: "Connection", value: "keep-alive")
        }
        context.write(Self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD { context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let channel = context.channel
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
