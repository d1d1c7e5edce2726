import NIOCore

/// Turns the flushes of one event-loop tick into one.
///
/// In front of `NIOSSHHandler` (between it and the socket): every visitor's
/// SSH child channel flushes on its own, and each flush would be one
/// `write(2)` on the shared SSH socket. Here the first flush of a tick only
/// schedules one at the end of the tick (a task on the loop, which runs after
/// the I/O of this tick and before the loop waits again), and the flushes that
/// follow in the same tick are already covered by it: the SSH packets of many
/// visitors leave in one syscall.
///
/// Nothing is lost or reordered: writes pass straight through (they sit in
/// the socket's queue, counted for its writability as before, until the
/// flush); a close, or removing this handler, first flushes what is pending.
public final class FlushCoalescingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = NIOAny
    public typealias OutboundOut = NIOAny

    private var context: ChannelHandlerContext?
    /// A flush is scheduled for the end of this tick.
    private var flushPending = false

    public init() {}

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        if flushPending {
            flushPending = false
            context.flush()
        }
        self.context = nil
    }

    public func flush(context: ChannelHandlerContext) {
        guard !flushPending else { return }
        flushPending = true
        context.eventLoop.assumeIsolated().execute { self.flushNow() }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        flushNow()
        context.close(mode: mode, promise: promise)
    }

    /// The pending flush, if it was not done already (by a close or removal).
    private func flushNow() {
        guard flushPending, let context else { return }
        flushPending = false
        context.flush()
    }
}
