import BurrowCore
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

    private let policy: AccessPolicy
    private var chunked = false
    /// What goes to the glue at the end of this read burst.
    private var gathered: ByteBuffer?
    /// Body pieces up to this size are copied into `gathered`; larger ones are passed as slices.
    static let copyLimit = 4096

    /// "http", or "https" behind the relay's TLS termination.
    let scheme: String

    /// The lines every head of this visitor gets: `X-Forwarded-For` and
    /// `X-Forwarded-Proto`, and the start of `Forwarded` (up to its `host=`).
    private let forwardedFor: ByteBuffer
    private let forwardedPrefix: ByteBuffer

    init(visitor: SocketAddress?, policy: AccessPolicy, scheme: String = "http") {
        self.scheme = scheme
        // An IPv4 visitor (the usual case) in inet_ntop's dotted decimal, the
        // same text without AccessPolicy's byte arrays and joined strings.
        let client: (text: String, isIPv6: Bool)?
        if case .v4 = visitor, let text = visitor?.ipAddress {
            client = (text, false)
        } else {
            client = AccessPolicy.clientIP(visitor)
        }
        let address = client?.text ?? "unknown"
        self.policy = policy
        forwardedFor = ByteBuffer(string: "X-Forwarded-For: \(address)\r\nX-Forwarded-Proto: \(scheme)\r\n")
        let node = client?.isIPv6 == true ? "\"[\(address)]\"" : address
        forwardedPrefix = ByteBuffer(string: "Forwarded: for=\(node);proto=\(scheme)")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            chunked = Self.isChunked(head)
            gather(context) { self.write(head, into: &$0) }
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

    /// Writes `head` as sent, less the forwarding headers the visitor sent
    /// (and `Authorization` when the relay checked it), plus the relay's own,
    /// straight into the buffer: no rewritten copy of the head, no string
    /// built per header.
    private func write(_ head: HTTPRequestHead, into buffer: inout ByteBuffer) {
        buffer.writeString(head.method.rawValue)
        buffer.writeStaticString(" ")
        buffer.writeString(head.uri)
        switch head.version {
        case .http1_1: buffer.writeStaticString(" HTTP/1.1\r\n")
        case .http1_0: buffer.writeStaticString(" HTTP/1.0\r\n")
        default: buffer.writeString(" HTTP/\(head.version.major).\(head.version.minor)\r\n")
        }
        // A proxy behind the agent drops the headers `Connection` names (RFC
        // 9110 §7.6.1): the visitor must not name the relay's own away. Such
        // a `Connection` goes last, without those names.
        var keptOptions: [Substring]?
        if head.headers.contains(name: "connection") {
            let options = head.headers[canonicalForm: "connection"]
            if options.contains(where: { Self.setHeaders.contains($0.lowercased()) }) {
                keptOptions = options.filter { !Self.setHeaders.contains($0.lowercased()) }
            }
        }
        // The credentials were for the relay; the local service never sees them.
        let dropAuthorization = policy.basicAuth != nil
        var firstHost: String?
        for (name, value) in head.headers {
            if Self.isSetHeader(name)
                || (keptOptions != nil && ASCIICase.equals(name.utf8, lowercase: "connection"))
                || (dropAuthorization && ASCIICase.equals(name.utf8, lowercase: "authorization")) {
                continue
            }
            if firstHost == nil, ASCIICase.equals(name.utf8, lowercase: "host") { firstHost = value }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if let keptOptions, !keptOptions.isEmpty {
            buffer.writeStaticString("Connection: ")
            buffer.writeString(keptOptions.joined(separator: ", "))
            buffer.writeStaticString("\r\n")
        }
        buffer.writeImmutableBuffer(forwardedFor)
        let host = firstHost ?? ""
        if !host.isEmpty {
            buffer.writeStaticString("X-Forwarded-Host: ")
            buffer.writeString(host)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeImmutableBuffer(forwardedPrefix)
        if !host.isEmpty, !host.utf8.contains(UInt8(ascii: "\"")), !host.utf8.contains(UInt8(ascii: "\\")) {
            buffer.writeStaticString(";host=\"")
            buffer.writeString(host)
            buffer.writeStaticString("\"")
        }
        buffer.writeStaticString("\r\n\r\n")
    }

    /// One of `setHeaders`, in any case.
    private static func isSetHeader(_ name: String) -> Bool {
        ASCIICase.equals(name.utf8, lowercase: "x-forwarded-for")
            || ASCIICase.equals(name.utf8, lowercase: "x-forwarded-proto")
            || ASCIICase.equals(name.utf8, lowercase: "x-forwarded-host")
            || ASCIICase.equals(name.utf8, lowercase: "forwarded")
    }

    /// Whether a `Transfer-Encoding` of `head` names `chunked`.
    private static func isChunked(_ head: HTTPRequestHead) -> Bool {
        guard head.headers.contains(name: "transfer-encoding") else { return false }
        return head.headers[canonicalForm: "transfer-encoding"].contains { $0.lowercased() == "chunked" }
    }
}
