import NIOCore
import NIOHTTP2

/// Behind `NIOHTTP2Handler` on a terminated https visitor that speaks
/// HTTP/2: counts its open streams (NIOHTTP2's stream delegate) and lets the connection go when it has had none for a while —
/// `firstStreamTimeout` after the handshake (the HTTP port's head deadline),
/// `idleTimeout` after its last stream (the keep-alive timeout) — with a
/// GOAWAY naming the last stream it saw, so a client knows nothing of its
/// was lost. Each stream holds its own visitor slot, idle timer and SSH
/// channel (`HTTP2StreamBridge` + `HTTPRouter`); the connection between
/// streams holds none of them, only this timer.
///
/// Errors: NIOHTTP2 answers a protocol error itself (RST_STREAM or GOAWAY)
/// and then reports it here, without saying which of the two it was; a
/// connection with no stream open is closed on any error, one with open
/// streams is left to finish them (a GOAWAY'd peer closes, and the idle
/// timer does the rest).
final class HTTP2ConnectionIdleHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let firstStreamTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var open: Set<HTTP2StreamID> = []
    private var lastStreamID = HTTP2StreamID(0)
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(firstStreamTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.firstStreamTimeout = firstStreamTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        arm(firstStreamTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    /// Told by NIOHTTP2's stream delegate (`Streams`), on this loop.
    func streamCreated(_ id: HTTP2StreamID) {
        open.insert(id)
        lastStreamID = max(lastStreamID, id)
        timer?.cancel()
        timer = nil
    }

    func streamClosed(_ id: HTTP2StreamID) {
        if open.remove(id) != nil, open.isEmpty { arm(idleTimeout) }
    }

    /// The delegate `NIOHTTP2Handler` reports stream creation and closing to
    /// (with its inline multiplexer the events go to the stream channels, not
    /// down the connection's pipeline). Called on the connection's loop.
    struct Streams: NIOHTTP2StreamDelegate {
        let handler: NIOLoopBound<HTTP2ConnectionIdleHandler>

        func streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
            handler.value.streamCreated(id)
        }

        func streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
            handler.value.streamClosed(id)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if open.isEmpty { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    private func arm(_ delay: TimeAmount) {
        guard let context else { return }
        timer?.cancel()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            let handler = bound.value
            guard handler.open.isEmpty, let context = handler.context else { return }
            handler.timer = nil
            let goAway = HTTP2Frame(
                streamID: .rootStream, payload: .goAway(lastStreamID: handler.lastStreamID, errorCode: .noError, opaqueData: nil))
            let channel = context.channel
            context.writeAndFlush(NIOAny(goAway)).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
