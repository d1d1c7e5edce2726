import BurrowCore
import NIOCore
import NIOHTTP1

/// One API connection: gathers a request (body capped at
/// `EngineAPI.maxBodyBytes` → 413), asks the router off the event loop and
/// writes its answer, keeping the connection alive when the client does.
/// A connection that completes no request within `idleTimeout` — silent, or
/// dribbling a head or body — is closed; an event stream is not idle.
final class EngineAPIHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: EngineAPIRouter
    private let idleTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var deadline: Scheduled<Void>?
    private var streaming: Task<Void, Never>?

    init(router: EngineAPIRouter, idleTimeout: TimeAmount) {
        self.router = router
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        armDeadline()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        deadline?.cancel()
        streaming?.cancel()
    }

    /// A request NIOHTTP1 cannot parse: a JSON 400 like every other refusal, then close.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, head == nil else {
            context.close(promise: nil)
            return
        }
        let problem = APIProblem(400, "not an HTTP/1.1 request this API can read: \(error)")
        write(.problem(problem), head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"), keepAlive: false)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        streaming?.cancel()
        context.fireChannelInactive()
    }

    private func armDeadline() {
        deadline?.cancel()
        guard let context else { return }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: idleTimeout) {
            handler.value.context?.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            tooLarge = false
            let length = requestHead.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            if length > EngineAPI.maxBodyBytes {
                tooLarge = true
            } else if requestHead.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: requestHead.version, status: .continue))), promise: nil)
            }
        case .body(var buffer):
            guard !tooLarge else { return }
            if body.count + buffer.readableBytes > EngineAPI.maxBodyBytes {
                tooLarge = true
                body = []
            } else {
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            deadline?.cancel()
            if tooLarge {
                let problem = APIProblem(413, "the request body is larger than \(EngineAPI.maxBodyBytes) bytes")
                write(.problem(problem), head: requestHead, keepAlive: false)
                return
            }
            let request = APIRequest(head: requestHead, body: body)
            body = []
            let router = self.router
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let answer = context.eventLoop.makePromise(of: APIResponse.self)
            answer.completeWithTask { await router.respond(to: request) }
            answer.futureResult.whenSuccess { response in
                handler.value.write(response, head: requestHead, keepAlive: requestHead.isKeepAlive)
            }
        }
    }

    private func write(_ response: APIResponse, head requestHead: HTTPRequestHead, keepAlive: Bool) {
        guard let context, context.channel.isActive else { return }
        switch response {
        case .json(let status, let bytes):
            var head = HTTPResponseHead(version: requestHead.version, status: HTTPResponseStatus(statusCode: status))
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(bytes.count))
            if !keepAlive { head.headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
            // Armed before the end goes out: writing it may hand us the next
            // pipelined request at once, and that one must cancel this deadline.
            if keepAlive { armDeadline() }
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        case .events(let events, let serverSent):
            var head = HTTPResponseHead(version: requestHead.version, status: .ok)
            head.headers.add(name: "Content-Type", value: serverSent ? "text/event-stream" : "application/x-ndjson")
            head.headers.add(name: "Cache-Control", value: "no-cache")
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            let loop = context.eventLoop
            let handler = NIOLoopBound(self, eventLoop: loop)
            streaming = Task {
                for await event in events {
                    let line = event.jsonLine
                    let text = serverSent ? "event: \(event.name)\ndata: \(line)\n\n" : line + "\n"
                    loop.execute { handler.value.writeChunk(text) }
                }
                // The engine stopped (or the visitor left): end the stream and the connection.
                loop.execute { handler.value.finishStream() }
            }
        }
    }

    private func writeChunk(_ text: String) {
        guard let context, context.channel.isActive else { return }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
    }

    private func finishStream() {
        guard let context, context.channel.isActive else { return }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
