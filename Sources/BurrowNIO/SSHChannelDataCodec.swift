import NIOCore
import NIOSSH

/// Turns an SSH channel's data messages into plain `ByteBuffer`s and back, so
/// the glue on a `forwarded-tcpip` channel sees bytes like any socket.
/// Shared by the relay and the agent (both ends splice forwarded channels).
/// Extended data (stderr) has no meaning on a forwarded channel and is dropped.
public final class SSHChannelDataCodec: ChannelDuplexHandler {
    public typealias InboundIn = SSHChannelData
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = SSHChannelData

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = Self.unwrapInboundIn(data)
        guard case .channel = message.type, case .byteBuffer(let bytes) = message.data else { return }
        context.fireChannelRead(Self.wrapInboundOut(bytes))
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = Self.unwrapOutboundIn(data)
        context.write(Self.wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(bytes))), promise: promise)
    }
}
