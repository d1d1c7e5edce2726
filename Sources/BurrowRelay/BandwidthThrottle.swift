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
        guard NIODeadline.now() < debtUntil else {
            context.read()
            return
        }
        guard delayedRead == nil else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        delayedRead = context.eventLoop.scheduleTask(deadline: debtUntil) {
            let (throttle, context) = bound.value
            throttle.delayedRead = nil
            throttle.read(context: context)
        }
    }

    func flush(context: ChannelHandlerContext) {
        guard NIODeadline.now() < debtUntil else {
            context.flush()
            return
        }
        guard delayedFlush == nil else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        delayedFlush = context.eventLoop.scheduleTask(deadline: debtUntil) {
            let (throttle, context) = bound.value
            throttle.delayedFlush = nil
            throttle.flush(context: context)
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
