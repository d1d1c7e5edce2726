import NIOCore

/// The relay's dead-connection detector. A Burrow agent pings on
/// burrow-control every few seconds, so an agent connection that delivered
/// no byte for `timeout` is dead (killed, frozen, or cut off without a FIN):
/// it is closed, which frees its names and ports at once instead of after
/// the kernel's TCP keepalive (minutes). Sessions without burrow-control (a
/// plain `ssh -R`, which may legitimately stay silent) are left to TCP
/// keepalive. Sits first in the SSH connection's pipeline, on raw bytes.
final class SSHKeepaliveWatchdog: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private let session: RelaySession
    private var lastRead = NIODeadline.now()
    private var check: Scheduled<Void>?

    init(timeout: TimeAmount, session: RelaySession) {
        self.timeout = timeout
        self.session = session
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastRead = .now()
        schedule(context, in: timeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    private func schedule(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleTask(in: delay) {
            let (watchdog, context) = bound.value
            let silent = NIODeadline.now() - watchdog.lastRead
            guard silent >= watchdog.timeout else {
                watchdog.schedule(context, in: watchdog.timeout - silent)
                return
            }
            if watchdog.session.controlChannel != nil {
                watchdog.check = nil
                watchdog.session.keepaliveExpired(silentFor: silent)
                context.close(promise: nil)
            } else {
                watchdog.schedule(context, in: watchdog.timeout)
            }
        }
    }
}
