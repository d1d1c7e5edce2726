import BurrowCore
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// Watches an HTTP visitor's stream without touching it: a copy of each
/// buffer (a reference, not a byte copy) goes through NIOHTTP1's request and
/// response decoders on private embedded channels, and each request/response
/// pair becomes an `HTTPRequestRecord` in the mapping's statistics. The
/// forwarded bytes pass on unchanged. After an upgrade (WebSocket, CONNECT)
/// or anything the parser cannot read, the tap stops looking.
final class HTTPTap: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let stats: MappingStats
    private let requests = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
    private let responses = EmbeddedChannel(handler: ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
    /// Requests seen whose response has not ended yet, oldest first.
    private var pending: [UInt64] = []
    private var responseBodyBytes: UInt64 = 0
    private var responseStarted = false
    private var stopped = false

    init(stats: MappingStats) {
        self.stats = stats
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !stopped { observeRequest(unwrapInboundIn(data), context: context) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !stopped { observeResponse(unwrapOutboundIn(data), context: context) }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finishOpenResponse()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finishOpenResponse()
        _ = try? requests.finish(acceptAlreadyClosed: true)
        _ = try? responses.finish(acceptAlreadyClosed: true)
    }

    private func observeRequest(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        do {
            try requests.writeInbound(buffer)
            while let part = try requests.readInbound(as: HTTPServerRequestPart.self) {
                guard case .head(let head) = part else { continue }
                pending.append(stats.requestStarted(method: head.method.rawValue, path: head.uri))
                // The response decoder must know each request's method (HEAD has no body).
                try responses.writeOutbound(HTTPClientRequestPart.head(head))
                while try responses.readOutbound(as: HTTPClientRequestPart.self) != nil {}
            }
        } catch {
            stop(context: context)
        }
    }

    private func observeResponse(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        do {
            try responses.writeInbound(buffer)
            while let part = try responses.readInbound(as: HTTPClientResponsePart.self) {
                switch part {
                case .head(let head):
                    responseStarted = true
                    responseBodyBytes = 0
                    // The agent's own pages (LocalDialer's 502) carry X-Burrow-Error.
                    let answeredBy: RequestAnswerer = head.headers.contains(name: "X-Burrow-Error") ? .agent : .localService
                    if let id = pending.first { stats.responseHead(request: id, status: Int(head.status.code), answeredBy: answeredBy) }
                    if head.status == .switchingProtocols {
                        // From here on the bytes are not HTTP.
                        finishOpenResponse()
                        stop(context: context)
                        return
                    }
                case .body(let body):
                    responseBodyBytes += UInt64(body.readableBytes)
                case .end:
                    finishOpenResponse()
                }
            }
        } catch {
            stop(context: context)
        }
    }

    private func finishOpenResponse() {
        guard responseStarted else { return }
        responseStarted = false
        if !pending.isEmpty {
            stats.responseEnded(request: pending.removeFirst(), bodyBytes: responseBodyBytes)
        }
    }

    /// Stops observing; the handler stays as a pass-through (removing it in
    /// the middle of a write would risk the write).
    private func stop(context: ChannelHandlerContext) {
        guard !stopped else { return }
        stopped = true
        pending.removeAll()
        _ = try? requests.finish(acceptAlreadyClosed: true)
        _ = try? responses.finish(acceptAlreadyClosed: true)
    }
}
