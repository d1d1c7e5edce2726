import BurrowNIO
import NIOCore
import NIOEmbedded
import Testing

@Suite("ByteCountingHandler (EmbeddedChannel)")
struct ByteCountingHandlerTests {
    @Test("counts what passes each way and passes it untouched")
    func counts() throws {
        let tally = ByteTally()
        let channel = EmbeddedChannel(handler: ByteCountingHandler(tally))
        try channel.writeInbound(ByteBuffer(string: "hello"))
        try channel.writeInbound(ByteBuffer(string: ", relay"))
        try channel.writeOutbound(ByteBuffer(repeating: 7, count: 100_000))
        #expect(tally.readBytes == 12)
        #expect(tally.writtenBytes == 100_000)
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "hello"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: ", relay"))
        #expect(try channel.readOutbound(as: ByteBuffer.self)?.readableBytes == 100_000)
        _ = try channel.finish()
    }
}
