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
/// together in one hop, flushed once. Both channels on one loop (the agent's
/// local connections, the relay's TCP forwards) take a direct path: no
/// batching, no hops.
///
/// It knows nothing of SSH, HTTP or statistics (`ByteCountingHandler`
/// counts). Modelled on swift-nio-examples' connect-proxy `GlueHandler`.
public final class GlueHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    public let eventLoop: any EventLoop
    private var partner: LoopHandoff<GlueHandler>?
    /// Both channels on one loop (TCP forwards): reads go straight to the
    /// partner, no batching, no hops.
    private var sameLoop = false
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

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Two linked handlers, the first for a channel on `first`, the second for one on `second`.
    public static func matchedPair(first: any EventLoop, second: any EventLoop) -> (GlueHandler, GlueHandler) {
        let one = GlueHandler(eventLoop: first)
        let two = GlueHandler(eventLoop: second)
        one.partner = LoopHandoff(two, loop: second)
        two.partner = LoopHandoff(one, loop: first)
        one.sameLoop = first === second
        two.sameLoop = one.sameLoop
        return (one, two)
    }

    /// Sends bytes this side received before the glue existed (an HTTP request
    /// head the router read), ahead of anything read later.
    public func forwardToPartner(_ buffers: [ByteBuffer]) {
        guard !buffers.isEmpty else { return }
        partner?.run { $0.partnerSent(buffers) }
    }

    /// This side will never join a pipeline (its visitor left early): close the partner.
    public func abandon() {
        partner?.run { $0.partnerClosed() }
        partner = nil
    }

    // MARK: messages from the partner, always on this handler's loop

    /// A burst of one read (the usual case), without an array.
    private func partnerSent(_ buffer: ByteBuffer) {
        guard let context else {
            early.append(buffer)
            return
        }
        context.write(NIOAny(buffer), promise: nil)
        context.flush()
    }

    private func partnerSent(_ buffers: [ByteBuffer]) {
        guard let context else {
            early.append(contentsOf: buffers)
            return
        }
        for buffer in buffers {
            context.write(NIOAny(buffer), promise: nil)
        }
        context.flush()
    }

    /// Same-loop fast path: one buffer, flushed at the end of the burst.
    private func partnerWrote(_ buffer: ByteBuffer) {
        guard let context else {
            early.append(buffer)
            return
        }
        context.write(NIOAny(buffer), promise: nil)
    }

    private func partnerFlushed() {
        context?.flush()
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
        if sameLoop {
            partner?.value.partnerFlushed()
            return
        }
        guard !outbox.isEmpty else { return }
        if outbox.count == 1 {
            let buffer = outbox.removeLast()  // the outbox keeps its storage: no allocation per burst
            partner?.run { $0.partnerSent(buffer) }
            return
        }
        let batch = outbox
        outbox.removeAll(keepingCapacity: true)
        partner?.run { $0.partnerSent(batch) }
    }
}

extension GlueHandler: ChannelDuplexHandler {
    public func handlerAdded(context: ChannelHandlerContext) {
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

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        if sameLoop, let partner {
            partner.value.partnerWrote(buffer)
        } else {
            outbox.append(buffer)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        sendOutbox()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            sendOutbox()
            partner?.run { $0.partnerReachedEOF() }
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        sendOutbox()
        partner?.run { $0.partnerClosed() }
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        partner?.run { $0.partnerClosed() }
        context.close(promise: nil)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        partner?.run { $0.partnerWritabilityChanged(writable) }
        context.fireChannelWritabilityChanged()
    }

    public func read(context: ChannelHandlerContext) {
        if partnerWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
