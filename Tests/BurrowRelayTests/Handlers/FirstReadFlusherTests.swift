import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowRelay

/// The flusher on an EmbeddedChannel: a read with no read-complete (what a
/// removed ByteToMessageHandler hands on) is completed once, then it leaves.
@Suite("FirstReadFlusher (EmbeddedChannel)")
struct FirstReadFlusherTests {
    /// Stands for the glue: notes reads and read-completes in order.
    final class Events: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var log: [String] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            log.append("read " + String(buffer: Self.unwrapInboundIn(data)))
        }
        func channelReadComplete(context: ChannelHandlerContext) { log.append("complete") }
    }

    @Test("the first read is followed by a read-complete; then it is out of the pipeline and adds none")
    func firstReadOnly() throws {
        let events = Events()
        let channel = EmbeddedChannel(handlers: [FirstReadFlusher(), events])
        channel.pipeline.fireChannelRead(ByteBuffer(string: "hello"))
        #expect(events.log == ["read hello", "complete"])
        #expect(throws: ChannelPipelineError.notFound) {
            try channel.pipeline.syncOperations.handler(type: FirstReadFlusher.self)
        }
        channel.pipeline.fireChannelRead(ByteBuffer(string: "more"))
        #expect(events.log == ["read hello", "complete", "read more"])
        _ = try channel.finish()
    }
}
