import NIOCore

/// Sits on a visitor's SSH channel and closes the visitor's record in its
/// mapping's statistics when the channel goes (its bytes are counted by the
/// `ByteCountingHandler` beside it). Bytes pass through untouched.
final class VisitorHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let stats: MappingStats
    private var id: UInt64?

    /// `id`: what `MappingStats.visitorOpened` returned for this visitor.
    init(stats: MappingStats, id: UInt64) {
        self.stats = stats
        self.id = id
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    private func finish() {
        if let id {
            stats.visitorClosed(id: id)
            self.id = nil
        }
    }
}
