import NIOCore
import NIOHTTP1

/// Sits between NIOHTTP1's request decoder and the visitor's glue once an
/// HTTP visitor is routed, and turns every request of the connection
/// (keep-alive included) back into bytes for the tunnel: the head rewritten
/// with the visitor's real address in `X-Forwarded-For`, `X-Forwarded-Proto`,
/// `X-Forwarded-Host` and `Forwarded` (whatever the visitor sent in those is
/// dropped: it must not be able to forge them), and the body buffers passed
/// on as they are (slices of what was read, no copy; a chunked body gets its
/// chunk framing back around the same bytes).
///
/// After an `Upgrade` (WebSocket) or `CONNECT` request the decoder is removed
/// and the rest of the connection passes raw. A later request on the
/// connection without valid basic auth (when the mapping asks for it) closes
/// the connection; the first one was checked by `HTTPRouter`.
final class ForwardedHeadersRewriter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = ByteBuffer

    private let visitor: String
    private let visitorIsIPv6: Bool
    private let policy: AccessPolicy
    private let log: @Sendable (String) -> Void
    private var chunked = false
    private var upgrading = false
    private var raw = false
    private var requests = 0

    init(visitor: SocketAddress?, policy: AccessPolicy, log: @escaping @Sendable (String) -> Void) {
        let client = AccessPolicy.clientIP(visitor)
        self.visitor = client?.text ?? "unknown"
        self.visitorIsIPv6 = client?.isIPv6 ?? false
        self.policy = policy
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if raw {
            context.fireChannelRead(data)
            return
        }
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            requests += 1
            if requests > 1, let rule = policy.basicAuth,
               !BasicAuthCheck.verify(authorization: head.headers.first(name: "authorization"), rule: rule) {
                log("HTTP visitor \(visitor): request \(requests) of a keep-alive connection without valid basic auth; closing")
                context.close(promise: nil)
                return
            }
            chunked = head.headers[canonicalForm: "transfer-encoding"].contains { $0.lowercased() == "chunked" }
            upgrading = head.method == .CONNECT || (head.headers.contains(name: "upgrade")
                && head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" })
            context.fireChannelRead(Self.wrapInboundOut(serialize(rewrite(head), allocator: context.channel.allocator)))
        case .body(let body):
            guard body.readableBytes > 0 else { return }
            if chunked {
                context.fireChannelRead(Self.wrapInboundOut(ByteBuffer(string: String(body.readableBytes, radix: 16) + "\r\n")))
                context.fireChannelRead(Self.wrapInboundOut(body))
                context.fireChannelRead(Self.wrapInboundOut(ByteBuffer(string: "\r\n")))
            } else {
                context.fireChannelRead(Self.wrapInboundOut(body))
            }
        case .end(let trailers):
            if chunked {
                var buffer = context.channel.allocator.buffer(capacity: 64)
                buffer.writeString("0\r\n")
                for (name, value) in trailers ?? [:] { buffer.writeString("\(name): \(value)\r\n") }
                buffer.writeString("\r\n")
                context.fireChannelRead(Self.wrapInboundOut(buffer))
            }
            chunked = false
            if upgrading { goRaw(context) }
        }
    }

    /// From here on the bytes are another protocol's: let them through unparsed.
    private func goRaw(_ context: ChannelHandlerContext) {
        raw = true
        // The decoder hands over what it holds beyond the request (.forwardBytes).
        if let decoder = try? context.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) {
            // The leftovers arrive as a read with no read-complete; the glue
            // sends a burst on at read-complete, so complete it here.
            let removed = context.eventLoop.makePromise(of: Void.self)
            let loopContext = context.loopBound
            removed.futureResult.whenComplete { _ in loopContext.value.fireChannelReadComplete() }
            context.pipeline.syncOperations.removeHandler(decoder, promise: removed)
        }
    }

    func rewrite(_ head: HTTPRequestHead) -> HTTPRequestHead {
        var head = head
        for name in ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded"] {
            head.headers.remove(name: name)
        }
        // The credentials were for the relay; the local service never sees them.
        if policy.basicAuth != nil { head.headers.remove(name: "authorization") }
        let host = head.headers.first(name: "host") ?? ""
        head.headers.add(name: "X-Forwarded-For", value: visitor)
        head.headers.add(name: "X-Forwarded-Proto", value: "http")
        if !host.isEmpty { head.headers.add(name: "X-Forwarded-Host", value: host) }
        let node = visitorIsIPv6 ? "\"[\(visitor)]\"" : visitor
        var forwarded = "for=\(node);proto=http"
        if !host.isEmpty, !host.contains("\""), !host.contains("\\") { forwarded += ";host=\"\(host)\"" }
        head.headers.add(name: "Forwarded", value: forwarded)
        return head
    }

    private func serialize(_ head: HTTPRequestHead, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 512)
        buffer.writeString("\(head.method.rawValue) \(head.uri) HTTP/\(head.version.major).\(head.version.minor)\r\n")
        for (name, value) in head.headers {
            buffer.writeString(name)
            buffer.writeString(": ")
            buffer.writeString(value)
            buffer.writeString("\r\n")
        }
        buffer.writeString("\r\n")
        return buffer
    }
}
