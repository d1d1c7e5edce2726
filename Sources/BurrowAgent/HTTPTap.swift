import BurrowCore
import NIOCore

/// Watches an HTTP visitor's stream without touching it: each buffer (a
/// reference, not a byte copy) is scanned by its framing (`HTTPMessageScanner`:
/// heads read, bodies skipped by length or chunk sizes, never parsed), and
/// each request/response pair becomes an `HTTPRequestRecord` in the mapping's
/// statistics. The forwarded bytes pass on unchanged. After an upgrade
/// (WebSocket, CONNECT) or anything the scanner cannot read, the tap stops looking.
final class HTTPTap: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let stats: MappingStats
    private var requests = HTTPMessageScanner(direction: .request)
    private var responses = HTTPMessageScanner(direction: .response)
    /// Requests seen whose response has not ended yet, oldest first.
    private var pending: [UInt64] = []
    private var responseOpen = false
    private var stopped = false

    init(stats: MappingStats) {
        self.stats = stats
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !stopped { observeRequest(unwrapInboundIn(data)) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !stopped { observeResponse(unwrapOutboundIn(data)) }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !stopped { responses.connectionClosed { handleResponse($0) } }
        context.fireChannelInactive()
    }

    private func observeRequest(_ buffer: ByteBuffer) {
        requests.scan(buffer) { event in
            guard case .head(let head) = event else { return }
            pending.append(stats.requestStarted(method: head.method, path: head.target))
            responses.expectResponse(toMethod: head.method)
        }
        if requests.state == .lost { stop() }
    }

    private func observeResponse(_ buffer: ByteBuffer) {
        responses.scan(buffer) { handleResponse($0) }
        if responses.state == .lost { stop() }
    }

    private func handleResponse(_ event: HTTPMessageScanner.Event) {
        switch event {
        case .head(let head):
            responseOpen = true
            // The agent's own pages (LocalDialer's 502) carry X-Burrow-Error.
            if let id = pending.first { stats.responseHead(request: id, status: head.status, answeredBy: head.burrowError ? .agent : .localService) }
        case .end(let bodyBytes):
            guard responseOpen else { return }
            responseOpen = false
            if !pending.isEmpty { stats.responseEnded(request: pending.removeFirst(), bodyBytes: bodyBytes) }
        }
    }

    /// Stops observing; the handler stays as a pass-through (removing it in
    /// the middle of a write would risk the write).
    private func stop() {
        stopped = true
        pending.removeAll()
    }
}
