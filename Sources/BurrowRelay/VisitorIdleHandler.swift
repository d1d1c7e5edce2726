import NIOCore

/// Closes a visitor connection that moved no byte either way for `timeout`
/// (`visitorIdleTimeoutSeconds`): an abandoned connection must not hold a
/// visitor slot, a file descriptor and an SSH channel forever. Sits in front
/// of the glue (nearest the socket), so it sees every read and write.
///
/// Not NIO's `IdleStateHandler`: that one makes a promise and a callback for
/// every write to see it complete, on the data path; this one stamps a
/// time and keeps one timer per visitor. Times are the loop's (`now`), so
/// an EmbeddedEventLoop's `advanceTime` drives it in tests.
final class VisitorIdleHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let timeout: TimeAmount
    private var lastActivity = NIODeadline.now()
    private var check: Scheduled<Void>?
    private let onIdle: () -> Void

    init(timeout: TimeAmount, onIdle: @escaping () -> Void = {}) {
        self.timeout = timeout
        self.onIdle = onIdle
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        schedule(context, in: timeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = context.eventLoop.now
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    /// One timer per visitor, re-armed for the rest of the interval on each
    /// expiry, instead of a timer per packet.
    private func schedule(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = bound.value
            let idle = context.eventLoop.now - handler.lastActivity
            if idle >= handler.timeout {
                handler.check = nil
                handler.onIdle()
                context.close(promise: nil)
            } else {
                handler.schedule(context, in: handler.timeout - idle)
            }
        }
    }
}
