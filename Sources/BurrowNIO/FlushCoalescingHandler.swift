import NIOCore

/// Turns the flushes of one busy event-loop tick into one, and lets the
/// flush of a quiet tick go out at once.
///
/// In front of `NIOSSHHandler` (between it and the socket): every visitor's
/// SSH child channel flushes on its own, and each flush would be one
/// `write(2)` on the shared SSH socket. When the loop is busy (the last tick
/// that flushed had more than one flush), the first flush of a tick only
/// schedules one at the end of the tick (a task on the loop, which runs
/// after the I/O of this tick and before the loop waits again), and the
/// flushes that follow in the same tick are covered by it: the SSH packets of
/// many visitors leave in one syscall. When the loop is quiet (one visitor,
/// one request at a time), waiting for the end of the tick would only delay
/// the packet, so the first flush of the tick goes out at once; flushes that
/// follow it in the same tick are coalesced as above, and make the next tick
/// a busy one.
///
/// Nothing is lost or reordered: writes pass straight through (they sit in
/// the socket's queue, counted for its writability as before, until the
/// flush); a close, or removing this handler, first flushes what is pending.
public final class FlushCoalescingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = NIOAny
    public typealias OutboundOut = NIOAny

    private var context: ChannelHandlerContext?
    /// The end-of-tick task is scheduled (a flush came this tick).
    private var tickOpen = false
    /// A flush waits for the end of this tick.
    private var flushPending = false
    /// Flushes asked for in this tick.
    private var flushesThisTick = 0
    /// The last tick that flushed had more than one flush: coalesce from the first.
    private var busy = false

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
        flushesThisTick += 1
        if tickOpen {
            flushPending = true
            return
        }
        tickOpen = true
        context.eventLoop.assumeIsolated().execute { self.endOfTick() }
        if busy {
            flushPending = true
        } else {
            context.flush()
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        flushPendingNow()
        context.close(mode: mode, promise: promise)
    }

    /// The tick's flushes are all in: the pending one goes out, and their
    /// number says how the next tick starts.
    private func endOfTick() {
        busy = flushesThisTick > 1
        flushesThisTick = 0
        tickOpen = false
        flushPendingNow()
    }

    /// The pending flush, if it was not done already (by a close or removal).
    private func flushPendingNow() {
        guard flushPending, let context else { return }
        flushPending = false
        context.flush()
    }
}
