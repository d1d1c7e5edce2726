import BurrowCore
import NIOCore

/// Reads the local service's answer to a replayed request on the agent's
/// own connection to it: the head in full, the first 64 KiB of the body
/// (de-chunked), the body's size, and timings. Bounded: a complete answer
/// within `timeout`, at most `maxBytes` read (more is counted as far as read
/// and the connection closed). The request asked for `Connection: close`.
final class ReplayResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    struct Response: Sendable, Equatable {
        var status: Int
        var reason: String
        var headers: [HTTPHeaderField]
        var body: [UInt8]
        var bodyBytes: UInt64
        var firstByteMs: Double?
        /// nil when the answer was cut at `maxBytes`.
        var totalMs: Double?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let promise: EventLoopPromise<Response>
    private let started: NIODeadline
    private let timeout: TimeAmount
    private let maxBytes: UInt64
    private var scanner = HTTPMessageScanner(direction: .response, captures: true)
    private var head: HTTPMessageScanner.Head?
    private var firstByteMs: Double?
    private var body = BodyCapture()
    private var received: UInt64 = 0
    private var done = false
    private var connected = false
    private var timer: Scheduled<Void>?

    init(method: String, started: NIODeadline = .now(), timeout: TimeAmount = .seconds(30), maxBytes: UInt64 = 1 << 30,
         promise: EventLoopPromise<Response>) {
        self.promise = promise
        self.started = started
        self.timeout = timeout
        self.maxBytes = maxBytes
        scanner.expectResponse(toMethod: method)
    }

    /// The clock starts once connected (the dial has its own timeout); a
    /// failed dial is reported by the dialer, with its reason.
    func channelActive(context: ChannelHandlerContext) {
        connected = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) { [timeout] in
            let (handler, context) = loopBound.value
            handler.fail(context: context, "no complete answer within \(timeout.nanoseconds / 1_000_000_000) s")
        }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if connected { fail(context: context, "the connection was closed before the answer ended") }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        let buffer = unwrapInboundIn(data)
        received += UInt64(buffer.readableBytes)
        // Finished after the scan: closing inside it would re-enter the scanner (channelInactive).
        var ended: UInt64?
        scanner.scan(buffer) { event in
            guard ended == nil else { return }  // anything after the answer is not ours to read
            switch event {
            case .head(let head):
                self.head = head
                firstByteMs = Self.milliseconds(since: started)
            case .body(let at, let length):
                body.add(buffer, at: at, length: length)
            case .end(let bodyBytes):
                if head != nil { ended = bodyBytes }
            }
        }
        if let ended {
            finish(context: context, bodyBytes: ended, complete: true)
        } else if scanner.state == .lost {
            fail(context: context, "the answer is not readable HTTP/1.1")
        } else if received > maxBytes, head != nil {
            finish(context: context, bodyBytes: received, complete: false)
        } else if received > maxBytes {
            fail(context: context, "no response head in the first \(maxBytes) bytes")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        var ended: UInt64?
        scanner.connectionClosed { event in
            if case .end(let bodyBytes) = event { ended = bodyBytes }
        }
        if let ended { finish(context: context, bodyBytes: ended, complete: true) }
        if connected { fail(context: context, head == nil ? "the connection was closed without an answer" : "the connection was closed before the answer ended") }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, "\(error)")
    }

    private func finish(context: ChannelHandlerContext, bodyBytes: UInt64, complete: Bool) {
        guard !done, let head else { return }
        done = true
        timer?.cancel()
        promise.succeed(Response(
            status: head.status, reason: head.reason, headers: head.fields, body: body.take(), bodyBytes: bodyBytes,
            firstByteMs: firstByteMs, totalMs: complete ? Self.milliseconds(since: started) : nil))
        context.close(promise: nil)
    }

    private func fail(context: ChannelHandlerContext, _ reason: String) {
        guard !done else { return }
        done = true
        timer?.cancel()
        promise.fail(Failure(description: reason))
        context.close(promise: nil)
    }

    private static func milliseconds(since start: NIODeadline) -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
    }
}
