import BurrowNIO
import NIOCore

/// First handler of an HTTP visitor, in front of NIOHTTP1's decoder: bounds
/// what the decoder may read without producing anything, for every request
/// of the connection, not only the first.
///
/// - Waiting for a request head: at most `maximum` bytes (→ 431) and
///   `timeout` from the head's first byte (→ 408; for the first head of a
///   connection, from the accept, so a silent visitor goes too). A later
///   head whose first bytes came in the same read as the end of the request
///   before it starts no deadline of its own (the limiter cannot see bytes
///   the decoder kept): it is bounded by the router's keep-alive timeout
///   (`httpKeepAliveTimeoutSeconds`) once the response is out.
/// - In a body: at most `maximum` bytes of framing in a row that yield no
///   byte of body (a 1 MB chunk extension, an endless trailer; → 400).
///
/// The router says where the stream is (`headReceived`, `bodyProgress`,
/// `expectHead`); `pause` stops it for good or until the next `expectHead`
/// (raw bytes after an upgrade, nothing read while an upgrade waits for
/// its answer). Over a limit it raises the error once and drops the rest.
final class HTTPHeadLimiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum Phase {
        case head
        case body
        case off
    }

    private let maximum: Int
    private let timeoutSeconds: Double
    private var phase = Phase.head
    /// Bytes read since the decoder last produced a head or some body.
    private var sinceProgress = 0
    /// The head's deadline (re-armed per head without a task per head).
    private var deadline: RearmableTimer?
    private var failed = false
    private var context: ChannelHandlerContext?

    init(maximum: Int, timeoutSeconds: Double) {
        self.maximum = maximum
        self.timeoutSeconds = timeoutSeconds
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        deadline = RearmableTimer(loop: context.eventLoop) { self.timedOut() }
        startDeadline()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if phase == .off {
            context.fireChannelRead(data)
            return
        }
        guard !failed else { return }
        if phase == .head, deadline?.isArmed == false { startDeadline() }
        sinceProgress += Self.unwrapInboundIn(data).readableBytes
        // The router hears of heads and body during this call.
        context.fireChannelRead(data)
        guard phase != .off, sinceProgress > maximum, !failed else { return }
        failed = true
        deadline?.disarm()
        context.fireErrorCaught(phase == .head ? HTTPHeadTooLarge(maximum: maximum) as any Error : HTTPFramingTooLarge(maximum: maximum))
    }

    /// A whole request head came: its body (if any) is next.
    func headReceived() {
        enter(.body)
    }

    /// The decoder produced body bytes.
    func bodyProgress() {
        sinceProgress = 0
    }

    /// The request ended: the next bytes are a new head, under the same
    /// limits as the first (its deadline starts with its first byte).
    func expectHead() {
        enter(.head)
    }

    /// A new phase starts with nothing counted and no deadline running.
    private func enter(_ next: Phase) {
        phase = next
        sinceProgress = 0
        deadline?.disarm()
    }

    /// Lets every byte through unlimited until the next `expectHead`.
    func pause() {
        phase = .off
        deadline?.disarm()
    }

    private func startDeadline() {
        deadline?.arm(in: .fromSeconds(timeoutSeconds))
    }

    private func timedOut() {
        guard phase == .head, !failed, let context else { return }
        failed = true
        context.fireErrorCaught(HTTPHeadTimeout(seconds: timeoutSeconds))
    }
}
