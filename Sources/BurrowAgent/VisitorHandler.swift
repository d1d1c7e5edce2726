import BurrowNIO
import NIOCore
import NIOSSH

/// The first handler on a visitor's SSH channel: turns the channel's data
/// messages into plain `ByteBuffer`s and back (extended data has no meaning
/// on a forwarded channel and is dropped), counts the bytes of each direction
/// into the visitor's `ByteTally`, and closes the visitor's record in its
/// mapping's statistics when the channel goes. One handler instead of three
/// (`SSHChannelDataCodec`, `ByteCountingHandler` and a record keeper, as the
/// relay has them): every message of every visitor passes here, and each
/// handler in a pipeline is a call, a context and reference counting per message.
final class VisitorHandler: ChannelDuplexHandler {
    typealias InboundIn = SSHChannelData
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = SSHChannelData

    private let stats: MappingStats
    private let tally: ByteTally
    private var id: UInt64?

    /// `id` and `tally`: what `MappingStats.visitorOpened` returned for this visitor.
    init(stats: MappingStats, id: UInt64, tally: ByteTally) {
        self.stats = stats
        self.id = id
        self.tally = tally
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = Self.unwrapInboundIn(data)
        guard case .channel = message.type, case .byteBuffer(let bytes) = message.data else { return }
        tally.read.wrappingAdd(UInt64(bytes.readableBytes), ordering: .relaxed)
        context.fireChannelRead(Self.wrapInboundOut(bytes))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = Self.unwrapOutboundIn(data)
        tally.written.wrappingAdd(UInt64(bytes.readableBytes), ordering: .relaxed)
        context.write(Self.wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(bytes))), promise: promise)
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
