import NIOCore

/// Splices two channels: what one reads the other writes, end of input becomes
/// a half-close on the other side, and a close closes both.
///
/// Backpressure: a side reads only while its partner is writable, so a slow
/// visitor slows the SSH channel's reads (and with them the SSH window) instead
/// of filling memory.
///
/// The two channels may live on different event loops (an HTTP visitor is
/// accepted on any loop, its SSH session lives on one): whatever a handler does
/// to its partner runs on the partner's loop, and the reads of one burst travel
/// together in one hop, flushed once. It knows nothing of SSH or HTTP.
final class GlueHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let eventLoop: any EventLoop
    private var partner: LoopHandoff<GlueHandler>?
    private var context: ChannelHandlerContext?
    /// A read the channel asked for while the partner could not take more.
    private var pendingRead = false
    /// The partner's writability as it last reported it; a new partner counts as full.
    private var partnerWritable = false
    /// Reads of the current burst, handed over at `channelReadComplete`.
    private var outbox: [ByteBuffer] = []
    /// What the partner sent before this handler joined a pipeline.
    private var early: [ByteBuffer] = []
    private var earlyEOF = false
    private var earlyClose = false
    /// Event-loop-local byte counters (read from this side's channel, written to it).
    private(set) var bytesRead: UInt64 = 0
    private(set) var bytesWritten: UInt64 = 0

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Two linked handlers, the first for a channel on `first`, the second for one on `second`.
    static func matchedPair(first: any EventLoop, second: any EventLoop) -> (GlueHandler, GlueHandler) {
        let one = GlueHandler(eventLoop: first)
        let two = GlueHandler(eventLoop: second)
        one.partner = LoopHandoff(two, loop: second)
        two.partner = LoopHandoff(one, loop: first)
        return (one, two)
    }

    /// Sends bytes this side received before the glue existed (an HTTP request
    /// head the router read), ahead of anything read later.
    func forwardToPartner(_ buffers: [ByteBuffer]) {
        guard !buffers.isEmpty else { return }
        for buffer in buffers { bytesRead += UInt64(buffer.readableBytes) }
        partner?.run { $0.partnerSent(buffers) }
    }

    /// This side will never join a pipeline (its visitor left early): close the partner.
    func abandon() {
        partner?.run { $0.partnerClosed() }
        partner = nil
    }

    // MARK: messages from the partner, always on this handler's loop

    private func partnerSent(_ buffers: [ByteBuffer]) {
        guard let context else {
            early.append(contentsOf: buffers)
            return
        }
        for buffer in buffers {
            bytesWritten += UInt64(buffer.readableBytes)
            context.write(NIOAny(buffer), promise: nil)
        }
        context.flush()
    }

    private func partnerReachedEOF() {
        guard let context else {
            earlyEOF = true
            return
        }
        context.close(mode: .output, promise: nil)
    }

    private func partnerClosed() {
        guard let context else {
            earlyClose = true
            return
        }
        context.close(promise: nil)
    }

    private func partnerWritabilityChanged(_ writable: Bool) {
        partnerWritable = writable
        if writable, pendingRead, let context {
            pendingRead = false
            context.read()
        }
    }

    private func sendOutbox() {
        guard !outbox.isEmpty else { return }
        let batch = outbox
        outbox.removeAll(keepingCapacity: true)
        partner?.run { $0.partnerSent(batch) }
    }
}

extension GlueHandler: ChannelDuplexHandler {
    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let partner = self.partner
        // Whatever way this channel ends (even before this handler saw it
        // active), the partner must close too.
        context.channel.closeFuture.whenComplete { _ in
            partner?.run { $0.partnerClosed() }
        }
        if !early.isEmpty {
            let buffers = early
            early = []
            partnerSent(buffers)
        }
        if earlyEOF { context.close(mode: .output, promise: nil) }
        if earlyClose { context.close(promise: nil) }
        let writable = context.channel.isWritable
        partner?.run { $0.partnerWritabilityChanged(writable) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        bytesRead += UInt64(buffer.readableBytes)
        outbox.append(buffer)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        sendOutbox()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            sendOutbox()
            partner?.run { $0.partnerReachedEOF() }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        sendOutbox()
        partner?.run { $0.partnerClosed() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        partner?.run { $0.partnerClosed() }
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        partner?.run { $0.partnerWritabilityChanged(writable) }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partnerWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
