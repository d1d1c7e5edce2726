import NIOCore
import NIOHPACK
import NIOHTTP2

/// The first handler of each HTTP/2 stream of a terminated https visitor. It
/// makes the stream look like an HTTP/1.1 connection carrying one request to
/// the handlers behind it — the HTTP port's very pipeline (`HTTPRouter`:
/// routing by `:authority`, access rules, basic auth, 421 for another name
/// than the SNI, forwarding headers, a `forwarded-tcpip` channel of its own)
/// — and turns the HTTP/1.1 response the service writes back into HEADERS
/// and DATA frames on the stream.
///
/// Visitor → service: the HEADERS block becomes an HTTP/1.1 head
/// (`HTTP2RequestTranslator`); DATA frames go on as they are behind a
/// `Content-Length`, else as chunks; END_STREAM ends the body (trailers are
/// dropped). A head with neither waits for the end of the read burst: an
/// empty DATA frame with END_STREAM right behind it means no body at all.
///
/// Service → visitor: `HTTP1ResponseReader` finds heads, body and end;
/// connection-specific fields (`Connection`, `Keep-Alive`,
/// `Transfer-Encoding`…, illegal in HTTP/2) are left out; the end of the
/// response is END_STREAM. Bytes after it are dropped.
///
/// Back-pressure is NIO's and HTTP/2's: one frame in is one buffer out and
/// back, nothing is held here; the stream channel's writability follows the
/// visitor's flow-control window, and frames are read (and the window
/// opened) only when the glue behind asks for a read.
final class HTTP2StreamBridge: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTP2Frame.FramePayload

    private enum RequestState {
        case awaitingHead
        /// Head lines with neither `Content-Length` nor END_STREAM: the framing is not known yet.
        case headPending(String)
        case body(chunked: Bool)
        case ended
    }

    private var request = RequestState.awaitingHead
    /// The visitor sent END_STREAM (whether or not its request still goes on to the service).
    private var visitorFinished = false
    private var response: HTTP1ResponseReader
    /// The final response went out with END_STREAM (or the stream was answered here).
    private var responseEnded = false
    /// A final (non-1xx) response head went out.
    private var finalHeadSent = false
    /// The write that carries END_STREAM: the close waits for it, so the
    /// last DATA frames are not dropped by the reset a close sends.
    private var lastFrame: EventLoopFuture<Void>?
    private var closeForwarded = false

    init(maximumHead: Int) {
        response = HTTP1ResponseReader(maximumHead: max(maximumHead, 64 * 1024))
    }

    // MARK: visitor → service

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .headers(let headers):
            if headers.endStream { visitorFinished = true }
            receivedHeaders(context, headers)
        case .data(let data):
            if data.endStream { visitorFinished = true }
            guard case .byteBuffer(let bytes) = data.data else { return }
            receivedData(context, bytes, endStream: data.endStream)
        default:
            return
        }
    }

    private func receivedHeaders(_ context: ChannelHandlerContext, _ headers: HTTP2Frame.FramePayload.Headers) {
        switch request {
        case .awaitingHead:
            let translated: HTTP2RequestTranslator.Request
            do {
                translated = try HTTP2RequestTranslator.request(headers.headers)
            } catch {
                request = .ended
                answer(context, status: error.status, error.reason)
                return
            }
            response.requestIsHEAD = translated.isHEAD
            if headers.endStream {
                request = .ended
                emit(context, translated.lines + "\r\n")
            } else if translated.hasContentLength {
                request = .body(chunked: false)
                emit(context, translated.lines + "\r\n")
            } else {
                request = .headPending(translated.lines)
            }
        case .headPending(let lines):
            // Trailers straight after the head: an empty body.
            request = .ended
            emit(context, lines + "transfer-encoding: chunked\r\n\r\n0\r\n\r\n")
        case .body(let chunked):
            // Trailers end the body; they are not passed on.
            request = .ended
            if chunked { emit(context, "0\r\n\r\n") }
        case .ended:
            return
        }
    }

    private func receivedData(_ context: ChannelHandlerContext, _ bytes: ByteBuffer, endStream: Bool) {
        switch request {
        case .awaitingHead, .ended:
            return
        case .headPending(let lines):
            if endStream, bytes.readableBytes == 0 {
                request = .ended
                emit(context, lines + "\r\n")
                return
            }
            request = .body(chunked: true)
            emit(context, lines + "transfer-encoding: chunked\r\n\r\n")
            receivedData(context, bytes, endStream: endStream)
        case .body(let chunked):
            if bytes.readableBytes > 0 {
                if chunked {
                    var chunk = context.channel.allocator.buffer(capacity: bytes.readableBytes + 16)
                    chunk.writeString(String(bytes.readableBytes, radix: 16) + "\r\n")
                    chunk.writeImmutableBuffer(bytes)
                    chunk.writeString(endStream ? "\r\n0\r\n\r\n" : "\r\n")
                    if endStream { request = .ended }
                    context.fireChannelRead(Self.wrapInboundOut(chunk))
                    return
                }
                context.fireChannelRead(Self.wrapInboundOut(bytes))
            }
            if endStream {
                request = .ended
                if chunked { emit(context, "0\r\n\r\n") }
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // A head whose body has not shown itself in this burst: chunked it is
        // (a client waiting for `100 Continue` must get its head through).
        if case .headPending(let lines) = request {
            request = .body(chunked: true)
            emit(context, lines + "transfer-encoding: chunked\r\n\r\n")
        }
        context.fireChannelReadComplete()
    }

    private func emit(_ context: ChannelHandlerContext, _ text: String) {
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        context.fireChannelRead(Self.wrapInboundOut(buffer))
    }

    // MARK: service → visitor

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !responseEnded else {
            promise?.succeed(())
            return
        }
        do {
            send(context, try response.read(Self.unwrapOutboundIn(data)), promise: promise)
        } catch {
            malformed(context, promise: promise)
        }
    }

    private func send(_ context: ChannelHandlerContext, _ events: [HTTP1ResponseReader.Event], promise: EventLoopPromise<Void>?) {
        var frames: [HTTP2Frame.FramePayload] = []
        for event in events {
            switch event {
            case .head(let status, let headers):
                if status >= 200 { finalHeadSent = true }
                frames.append(.headers(.init(headers: Self.responseHeaders(status: status, headers))))
            case .body(let bytes):
                if bytes.readableBytes > 0 { frames.append(.data(.init(data: .byteBuffer(bytes)))) }
            case .end:
                responseEnded = true
                switch frames.last {
                case .headers(var headers):
                    headers.endStream = true
                    frames[frames.count - 1] = .headers(headers)
                case .data(var data):
                    data.endStream = true
                    frames[frames.count - 1] = .data(data)
                default:
                    frames.append(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true)))
                }
            }
        }
        guard let last = frames.popLast() else {
            promise?.succeed(())
            return
        }
        for frame in frames { context.write(Self.wrapOutboundOut(frame), promise: nil) }
        if responseEnded {
            let ended = context.eventLoop.makePromise(of: Void.self)
            if let promise { ended.futureResult.cascade(to: promise) }
            lastFrame = ended.futureResult
            context.write(Self.wrapOutboundOut(last), promise: ended)
        } else {
            context.write(Self.wrapOutboundOut(last), promise: promise)
        }
    }

    /// The response as an HTTP/2 header block: `:status` first, names in
    /// lowercase, without the fields of one HTTP/1.1 connection and those
    /// its `Connection` field names (RFC 9113 §8.2.2).
    static func responseHeaders(status: Int, _ headers: [(name: String, value: String)]) -> HPACKHeaders {
        var named: Set<String> = []
        for (name, value) in headers where name.lowercased() == "connection" {
            for token in value.split(separator: ",") {
                named.insert(token.filter { $0 != " " && $0 != "\t" }.lowercased())
            }
        }
        var block = HPACKHeaders()
        block.reserveCapacity(headers.count + 1)
        block.add(name: ":status", value: String(status))
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard !HTTP2RequestTranslator.hopByHop.contains(lowered), !named.contains(lowered) else { continue }
            block.add(name: lowered, value: value)
        }
        return block
    }

    /// The relay answers this stream itself (a request HTTP/1.1 cannot carry).
    private func answer(_ context: ChannelHandlerContext, status: Int, _ reason: String) {
        let body = "\(reason)\n"
        var block = HPACKHeaders()
        block.add(name: ":status", value: String(status))
        block.add(name: "content-type", value: "text/plain; charset=utf-8")
        block.add(name: "content-length", value: String(body.utf8.count))
        finalHeadSent = true
        responseEnded = true
        context.write(Self.wrapOutboundOut(.headers(.init(headers: block))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        let ended = context.eventLoop.makePromise(of: Void.self)
        lastFrame = ended.futureResult
        context.writeAndFlush(Self.wrapOutboundOut(.data(.init(data: .byteBuffer(buffer), endStream: true))), promise: ended)
        close(context: context, mode: .all, promise: nil)
    }

    /// The service's answer is not HTTP/1.1 the reader can follow: a 502 if
    /// nothing was sent yet, else the stream is reset.
    private func malformed(_ context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        promise?.fail(HTTP1ResponseReader.Malformed(reason: "unreadable response"))
        if finalHeadSent {
            responseEnded = true
            context.close(promise: nil)
        } else {
            answer(context, status: 502, "The service's response could not be read as HTTP/1.1.")
        }
    }

    // MARK: closing

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // The service is done sending (half-close through the glue): a body
        // that runs until the close ends here. A stream has no half-close of
        // its own to pass on (NIOHTTP2 would reset it).
        if let end = response.closed(), !responseEnded {
            send(context, [end], promise: nil)
            context.flush()
        }
        guard mode == .all else {
            promise?.succeed(())
            return
        }
        guard let lastFrame, !closeForwarded else {
            context.close(mode: mode, promise: promise)
            return
        }
        closeForwarded = true
        // The response is whole: once it is out, a visitor still sending its
        // request is told to stop without an error (RST_STREAM NO_ERROR, RFC
        // 9113 §8.1) — a plain close would send CANCEL, which clients report
        // as a failed request.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        lastFrame.whenComplete { _ in
            let (bridge, context) = bound.value
            if !bridge.visitorFinished, context.channel.isActive {
                context.writeAndFlush(Self.wrapOutboundOut(.rstStream(.noError)), promise: nil)
            }
            context.close(mode: .all, promise: nil)
            promise?.succeed(())
        }
    }
}
