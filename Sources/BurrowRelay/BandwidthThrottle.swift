import NIOCore

/// Holds back reads on one side of a visitor's splice while its mapping's
/// `TokenBucket` is in debt. Installed on both the visitor's socket and its
/// SSH channel, so the cap covers both directions; the glue's backpressure
/// then slows the other end instead of buffering.
final class BandwidthThrottle: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = NIOAny

    private let bucket: TokenBucket
    private var wait: Duration = .zero
    private var delayed: Scheduled<Void>?

    init(bucket: TokenBucket) {
        self.bucket = bucket
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Self.unwrapInboundIn(data).readableBytes
        wait = max(wait, bucket.take(bytes))
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard wait > .zero else {
            context.read()
            return
        }
        guard delayed == nil else { return }
        let nanoseconds = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
        wait = .zero
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        delayed = context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            let (throttle, context) = bound.value
            throttle.delayed = nil
            throttle.read(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        delayed?.cancel()
    }
}
