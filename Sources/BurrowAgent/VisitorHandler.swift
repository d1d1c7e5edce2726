import NIOCore

/// Sits on a visitor's SSH channel (after `SSHChannelDataCodec`): registers
/// the visitor with its mapping's statistics when added, counts the bytes
/// that pass in each direction, and closes the record when the channel goes.
/// Bytes pass through untouched.
final class VisitorHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let stats: MappingStats
    private let address: String
    private var visitor: (id: UInt64, counters: VisitorCounters)?

    init(stats: MappingStats, address: String) {
        self.stats = stats
        self.address = address
    }

    func handlerAdded(context: ChannelHandlerContext) {
        visitor = stats.visitorOpened(address: address)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        visitor?.counters.addIn(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        visitor?.counters.addOut(unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }

    private func finish() {
        if let visitor {
            stats.visitorClosed(id: visitor.id)
            self.visitor = nil
        }
    }
}
