import NIOCore

/// Counts the bytes that pass it in each direction into a `ByteTally`; the
/// bytes themselves pass untouched. Both ends put one on each visitor's SSH
/// channel (after `SSHChannelDataCodec`): the relay for its forward's totals
/// and metrics, the agent for the TUI's per-mapping traffic.
public final class ByteCountingHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let tally: ByteTally

    public init(_ tally: ByteTally) {
        self.tally = tally
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        tally.read.wrappingAdd(UInt64(Self.unwrapInboundIn(data).readableBytes), ordering: .relaxed)
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        tally.written.wrappingAdd(UInt64(Self.unwrapOutboundIn(data).readableBytes), ordering: .relaxed)
        context.write(data, promise: promise)
    }
}
