import NIOCore

/// The relay's dead-connection detector: reacts to NIO's `IdleStateHandler`
/// (read timeout = `sshKeepaliveTimeoutSeconds`), which sits before it on the
/// SSH connection's raw bytes. A Burrow agent pings on burrow-control every
/// few seconds, so an agent connection that delivered no byte for that long is
/// dead (killed, frozen, or cut off without a FIN): it is closed, which frees
/// its names and ports at once instead of after the kernel's TCP keepalive
/// (minutes). Sessions without burrow-control (a plain `ssh -R`, which may
/// legitimately stay silent) are left to TCP keepalive: the idle event is
/// ignored and `IdleStateHandler` re-arms itself.
final class SSHKeepaliveWatchdog: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private let session: RelaySession

    init(timeout: TimeAmount, session: RelaySession) {
        self.timeout = timeout
        self.session = session
    }

    /// The pair to add to the connection's pipeline, in this order.
    static func handlers(timeout: TimeAmount, session: RelaySession) -> [any ChannelHandler] {
        [IdleStateHandler(readTimeout: timeout), SSHKeepaliveWatchdog(timeout: timeout, session: session)]
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case IdleStateHandler.IdleStateEvent.read = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard session.controlChannel != nil else { return }
        session.keepaliveExpired(silentFor: timeout)
        context.close(promise: nil)
    }
}
