import NIOCore

/// Paces one visitor's socket to its mapping's `TokenBucket`, both ways.
/// Upload: a read is not asked for while the bucket is in debt. Download:
/// writes go into the channel at once but are flushed only when the debt is
/// paid; the unflushed bytes make the channel unwritable, so the glue stops
/// reading the SSH channel, whose window then stops the agent. Nothing is
/// buffered beyond what NIO and SSH already bound.
final class BandwidthThrottle: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let bucket: TokenBucket
    /// Until when this visitor must wait for the bucket.
    private var debtUntil = NIODeadline.uptimeNanoseconds(0)
    private var delayedRead: Scheduled<Void>?
    private var delayedFlush: Scheduled<Void>?

    init(bucket: TokenBucket) {
        self.bucket = bucket
    }

    private func charge(_ bytes: Int) {
        let wait = bucket.take(bytes)
        guard wait > .zero else { return }
        debtUntil = max(debtUntil, .now() + TimeAmount(wait))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        charge(Self.unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        charge(Self.unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }

    func read(context: ChannelHandlerContext) {
        if NIODeadline.now() < debtUntil {
            retryAfterDebt(\.delayedRead, context) { $0.read(context: $1) }
        } else {
            context.read()
        }
    }

    func flush(context: ChannelHandlerContext) {
        if NIODeadline.now() < debtUntil {
            retryAfterDebt(\.delayedFlush, context) { $0.flush(context: $1) }
        } else {
            context.flush()
        }
    }

    /// One scheduled retry per kind (read, flush) at the end of the debt.
    private func retryAfterDebt(
        _ slot: ReferenceWritableKeyPath<BandwidthThrottle, Scheduled<Void>?>, _ context: ChannelHandlerContext,
        _ retry: @escaping (BandwidthThrottle, ChannelHandlerContext) -> Void
    ) {
        guard self[keyPath: slot] == nil else { return }
        let bound = NIOLoopBound((self, context, retry, slot), eventLoop: context.eventLoop)
        self[keyPath: slot] = context.eventLoop.scheduleTask(deadline: debtUntil) {
            let (throttle, context, retry, slot) = bound.value
            throttle[keyPath: slot] = nil
            retry(throttle, context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        delayedRead?.cancel()
        delayedFlush?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        delayedRead?.cancel()
        delayedFlush?.cancel()
        context.fireChannelInactive()
    }
}
