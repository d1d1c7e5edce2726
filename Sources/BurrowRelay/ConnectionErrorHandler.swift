import NIOCore

/// Last handler of an SSH connection: an error there (bad packet, failed key
/// exchange, refused login) ends the connection, with a log line.
final class ConnectionErrorHandler: ChannelInboundHandler {
    typealias InboundIn = Any

    private let session: RelaySession

    init(session: RelaySession) {
        self.session = session
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        session.logRefusal("connection closed: \(error)")
        context.close(promise: nil)
    }
}
