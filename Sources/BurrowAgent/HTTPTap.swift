import BurrowCore
import NIOCore

/// Watches an HTTP visitor's stream without touching it: each buffer (a
/// reference, not a byte copy) is scanned by its framing (`HTTPMessageScanner`:
/// heads read, bodies skipped by length or chunk sizes, never parsed), and
/// each request/response pair becomes an `HTTPRequestRecord` in the mapping's
/// statistics. With the inspector on, it also becomes an `HTTPExchange`: the
/// heads in full and the first 64 KiB of each body (de-chunked) are copied,
/// nothing else. The forwarded bytes pass on unchanged. After an upgrade
/// (WebSocket, CONNECT) or anything the scanner cannot read, the tap stops looking.
final class HTTPTap: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A response head seen and not yet given to the statistics.
    private struct HeldHead {
        var request: UInt64
        var status: Int
        var answeredBy: RequestAnswerer
        /// Inspector on: the head itself and the time to first byte.
        var head: HTTPMessageScanner.Head?
        var firstByteMs: Double?
    }

    /// A request seen whose response has not ended yet.
    private struct InFlight {
        var id: UInt64
        /// `NIODeadline.now()` when its head arrived.
        var started: NIODeadline
    }

    private let stats: MappingStats
    private let mapping: String
    private let visitor: String?
    private let inspects: Bool
    private var requests: HTTPMessageScanner
    private var responses: HTTPMessageScanner
    /// Oldest first: responses answer them in order.
    private var pending = CircularBuffer<InFlight>(initialCapacity: 2)
    /// The request whose body is being read (inspector on).
    private var requestInBody: UInt64?
    private var requestBody = BodyCapture()
    private var responseBody = BodyCapture()
    private var responseOpen = false
    /// A response head not yet recorded: held while the rest of the read is
    /// scanned, so a response that also ends in it is recorded under one lock.
    private var heldHead: HeldHead?
    private var stopped = false

    init(stats: MappingStats, mapping: String = "", visitor: String? = nil) {
        self.stats = stats
        self.mapping = mapping
        self.visitor = visitor
        inspects = stats.inspector.isOn
        requests = HTTPMessageScanner(direction: .request, captures: inspects)
        responses = HTTPMessageScanner(direction: .response, captures: inspects)
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
        if !stopped {
            responses.connectionClosed { handleResponse($0, in: nil) }
            recordHeldHead()
        }
        context.fireChannelInactive()
    }

    private func observeRequest(_ buffer: ByteBuffer) {
        requests.scan(buffer) { event in
            switch event {
            case .head(let head):
                let exchange = inspects ? HTTPExchange(
                    id: 0, mapping: mapping, time: 0, visitor: visitor, method: head.method, target: head.target,
                    version: head.version) : nil
                let id = stats.requestStarted(method: head.method, path: head.target, exchange: exchange, head: head.raw)
                pending.append(InFlight(id: id, started: .now()))
                requestInBody = inspects ? id : nil
                if inspects { requestBody.reserve(head.contentLength) }
                responses.expectResponse(toMethod: head.method)
            case .body(let at, let length):
                requestBody.add(buffer, at: at, length: length)
            case .end(let bodyBytes):
                if let id = requestInBody {
                    requestInBody = nil
                    if bodyBytes > 0 { stats.requestEnded(request: id, body: requestBody.take(), bodyBytes: bodyBytes) }
                }
            }
        }
        if requests.state == .lost { stop() }
    }

    private func observeResponse(_ buffer: ByteBuffer) {
        responses.scan(buffer) { handleResponse($0, in: buffer) }
        recordHeldHead()
        if responses.state == .lost { stop() }
    }

    /// A head whose response did not end in the same read is recorded on its own.
    private func recordHeldHead() {
        guard let held = heldHead else { return }
        heldHead = nil
        stats.responseHead(request: held.request, status: held.status, answeredBy: held.answeredBy, head: held.head,
                           firstByteMs: held.firstByteMs)
    }

    private func handleResponse(_ event: HTTPMessageScanner.Event, in buffer: ByteBuffer?) {
        switch event {
        case .head(let head):
            responseOpen = true
            guard let request = pending.first else { return }
            // The agent's own pages (LocalDialer's 502) carry X-Burrow-Error.
            let answeredBy: RequestAnswerer = head.burrowError ? .agent : .localService
            recordHeldHead()
            if inspects { responseBody.reserve(head.contentLength) }
            heldHead = HeldHead(request: request.id, status: head.status, answeredBy: answeredBy, head: inspects ? head : nil,
                                firstByteMs: inspects ? Self.milliseconds(since: request.started) : nil)
        case .body(let at, let length):
            if let buffer { responseBody.add(buffer, at: at, length: length) }
        case .end(let bodyBytes):
            guard responseOpen else { return }
            responseOpen = false
            guard let request = pending.popFirst() else { return }
            let body = inspects ? responseBody.take() : nil
            let totalMs = inspects ? Self.milliseconds(since: request.started) : nil
            if let held = heldHead, held.request == request.id {
                heldHead = nil
                stats.response(request: request.id, status: held.status, answeredBy: held.answeredBy, head: held.head,
                               firstByteMs: held.firstByteMs, bodyBytes: bodyBytes, body: body, totalMs: totalMs)
            } else {
                recordHeldHead()
                stats.responseEnded(request: request.id, bodyBytes: bodyBytes, body: body, totalMs: totalMs)
            }
        }
    }

    private static func milliseconds(since start: NIODeadline) -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
    }

    /// Stops observing; the handler stays as a pass-through (removing it in
    /// the middle of a write would risk the write).
    private func stop() {
        recordHeldHead()
        stopped = true
        pending.removeAll()
        requestInBody = nil
        _ = requestBody.take()
        _ = responseBody.take()
    }
}
