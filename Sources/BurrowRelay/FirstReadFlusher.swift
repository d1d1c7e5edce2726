import NIOCore

/// Completes the read burst of the first bytes it sees, then leaves. A
/// `ByteToMessageHandler` that is removed (the SNI reader) hands its buffered
/// bytes on with a `channelRead` but no `channelReadComplete`, and the glue
/// sends a burst to its partner only at read-complete: without this the
/// ClientHello would wait for the visitor's next bytes, which never come.
final class FirstReadFlusher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        context.fireChannelReadComplete()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
