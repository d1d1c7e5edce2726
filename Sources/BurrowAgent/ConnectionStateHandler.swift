import NIOCore
import NIOSSH

/// Watches an SSH client connection from behind `NIOSSHHandler`: completes
/// `authenticated` when user auth succeeds, and `closed` with the reason the
/// connection ended (the first error seen, or the relay closing it).
final class ConnectionStateHandler: ChannelInboundHandler {
    typealias InboundIn = Any

    private let authenticated: EventLoopPromise<Void>
    private let closed: EventLoopPromise<TunnelError>
    private let handshakeTimeout: TimeAmount
    private var firstError: (any Error)?
    private var isAuthenticated = false
    private var timeout: Scheduled<Void>?

    init(authenticated: EventLoopPromise<Void>, closed: EventLoopPromise<TunnelError>, handshakeTimeout: TimeAmount) {
        self.authenticated = authenticated
        self.closed = closed
        self.handshakeTimeout = handshakeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            let (handler, context) = loopBound.value
            let error = TunnelError.timedOut("waiting for the SSH handshake")
            // Noted first, so `closed` says why, not "the relay closed the connection".
            if handler.firstError == nil { handler.firstError = error }
            handler.authenticated.fail(error)
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is UserAuthSuccessEvent {
            isAuthenticated = true
            timeout?.cancel()
            authenticated.succeed(())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if firstError == nil { firstError = error }
        authenticated.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        let reason: TunnelError
        switch firstError {
        case let error as TunnelError: reason = error
        case let error?: reason = .connectionClosed("connection lost: \(error)")
        case nil: reason = .connectionClosed("the relay closed the connection")
        }
        authenticated.fail(reason)
        closed.succeed(reason)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
        authenticated.fail(TunnelError.connectionClosed("the connection was torn down"))
        closed.succeed(.connectionClosed("the connection was torn down"))
    }
}
