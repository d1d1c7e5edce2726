import NIOCore
import NIOHTTP1

/// Sits between the `HTTPRouter` and the visitor's glue once an HTTP
/// visitor is routed, and turns every request of the connection (keep-alive
/// included; the router has checked each head) back into bytes for the
/// tunnel: the head rewritten with the visitor's real address in
/// `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host` and
/// `Forwarded` (whatever the visitor sent in those is dropped: it must not be
/// able to forge them), and the body as read.
///
/// Memory follows the bytes, not the number of pieces: heads, small body
/// pieces and chunk framing of one read burst are gathered into one buffer
/// (200 000 one-byte chunks are ~1.4 MB of writes, not 600 000 of them);
/// a large body piece goes on as the slice it is, without a copy, unless it
/// would keep a read buffer four times its size alive.
final class ForwardedHeadersRewriter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = ByteBuffer

    private let visitor: String
    private let visitorIsIPv6: Bool
    private let policy: AccessPolicy
    private var chunked = false
    /// What goes to the glue at the end of this read burst.
    private var gathered: ByteBuffer?
    /// Body pieces up to this size are copied into `gathered`; larger ones are passed as slices.
    static let copyLimit = 4096

    /// "http", or "https" behind the relay's TLS termination.
    let scheme: String

    init(visitor: SocketAddress?, policy: AccessPolicy, scheme: String = "http") {
        self.scheme = scheme
        let client = AccessPolicy.clientIP(visitor)
        self.visitor = client?.text ?? "unknown"
        self.visitorIsIPv6 = client?.isIPv6 ?? false
        self.policy = policy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            chunked = head.headers[canonicalForm: "transfer-encoding"].contains { $0.lowercased() == "chunked" }
            serialize(rewrite(head), into: &gathered, allocator: context.channel.allocator)
        case .body(let body):
            let count = body.readableBytes
            guard count > 0 else { return }
            // A small piece, or one that would keep a much larger read buffer alive, is copied.
            if count <= Self.copyLimit || count * 4 < body.storageCapacity {
                gather(context) { buffer in
                    if self.chunked { Self.writeChunkSize(count, into: &buffer) }
                    buffer.writeImmutableBuffer(body)
                    if self.chunked { buffer.writeStaticString("\r\n") }
                }
                return
            }
            if chunked { gather(context) { Self.writeChunkSize(count, into: &$0) } }
            flush(context)
            context.fireChannelRead(Self.wrapInboundOut(body))
            if chunked { gather(context) { $0.writeStaticString("\r\n") } }
        case .end(let trailers):
            if chunked {
                gather(context) { buffer in
                    buffer.writeStaticString("0\r\n")
                    for (name, value) in trailers ?? [:] {
                        buffer.writeString(name)
                        buffer.writeStaticString(": ")
                        buffer.writeString(value)
                        buffer.writeStaticString("\r\n")
                    }
                    buffer.writeStaticString("\r\n")
                }
            }
            chunked = false
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
        context.fireChannelReadComplete()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // (Removed after an accepted upgrade: the request went out long before.)
        if let gathered, gathered.readableBytes > 0 {
            self.gathered = nil
            context.fireChannelRead(Self.wrapInboundOut(gathered))
            context.fireChannelReadComplete()
        }
    }

    private func gather(_ context: ChannelHandlerContext, _ write: (inout ByteBuffer) -> Void) {
        if gathered == nil { gathered = context.channel.allocator.buffer(capacity: 512) }
        write(&gathered!)
    }

    private func flush(_ context: ChannelHandlerContext) {
        guard let buffer = gathered, buffer.readableBytes > 0 else { return }
        gathered = nil
        context.fireChannelRead(Self.wrapInboundOut(buffer))
    }

    private static func writeChunkSize(_ count: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(String(count, radix: 16))
        buffer.writeStaticString("\r\n")
    }

    static let setHeaders: Set<String> = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded"]

    func rewrite(_ head: HTTPRequestHead) -> HTTPRequestHead {
        var head = head
        for name in Self.setHeaders {
            head.headers.remove(name: name)
        }
        // A proxy behind the agent drops the headers `Connection` names (RFC
        // 9110 §7.6.1): the visitor must not name the relay's own away.
        let options = head.headers[canonicalForm: "connection"]
        if options.contains(where: { Self.setHeaders.contains($0.lowercased()) }) {
            head.headers.remove(name: "connection")
            let kept = options.filter { !Self.setHeaders.contains($0.lowercased()) }
            if !kept.isEmpty { head.headers.add(name: "Connection", value: kept.joined(separator: ", ")) }
        }
        // The credentials were for the relay; the local service never sees them.
        if policy.basicAuth != nil { head.headers.remove(name: "authorization") }
        let host = head.headers.first(name: "host") ?? ""
        head.headers.add(name: "X-Forwarded-For", value: visitor)
        head.headers.add(name: "X-Forwarded-Proto", value: scheme)
        if !host.isEmpty { head.headers.add(name: "X-Forwarded-Host", value: host) }
        let node = visitorIsIPv6 ? "\"[\(visitor)]\"" : visitor
        var forwarded = "for=\(node);proto=\(scheme)"
        if !host.isEmpty, !host.contains("\""), !host.contains("\\") { forwarded += ";host=\"\(host)\"" }
        head.headers.add(name: "Forwarded", value: forwarded)
        return head
    }

    private func serialize(_ head: HTTPRequestHead, into gathered: inout ByteBuffer?, allocator: ByteBufferAllocator) {
        if gathered == nil { gathered = allocator.buffer(capacity: 512) }
        gathered!.writeString("\(head.method.rawValue) \(head.uri) HTTP/\(head.version.major).\(head.version.minor)\r\n")
        for (name, value) in head.headers {
            gathered!.writeString(name)
            gathered!.writeStaticString(": ")
            gathered!.writeString(value)
            gathered!.writeStaticString("\r\n")
        }
        gathered!.writeStaticString("\r\n")
    }
}
