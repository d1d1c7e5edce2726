import BurrowNIO
import NIOCore
import NIOEmbedded
import Testing

/// The one glue both ends splice with, on EmbeddedChannels: bytes across,
/// back-pressure, closes, bytes sent before the partner joined.
@Suite("GlueHandler (EmbeddedChannel)")
struct GlueHandlerTests {
    /// Counts the reads the glue lets through to the socket.
    final class ReadRecorder: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    private func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    private func outbound(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let part = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: part) }
        return text
    }

    @Test("one loop: what one side reads the other writes, flushed at the end of the burst", arguments: [true, false])
    func bytesCross(sameLoop: Bool) throws {
        let loopA = EmbeddedEventLoop()
        let loopB = sameLoop ? loopA : EmbeddedEventLoop()
        let (glueA, glueB) = GlueHandler.matchedPair(first: loopA, second: loopB)
        let a = EmbeddedChannel(handler: glueA, loop: loopA)
        let b = EmbeddedChannel(handler: glueB, loop: loopB)
        try a.writeInbound(buffer("GET / HTTP/1.1\r\n"))
        try a.writeInbound(buffer("\r\n"))
        a.pipeline.fireChannelReadComplete()
        loopB.run()
        #expect(try outbound(b) == "GET / HTTP/1.1\r\n\r\n")
        try b.writeInbound(buffer("HTTP/1.1 200 OK\r\n\r\n"))
        b.pipeline.fireChannelReadComplete()
        loopA.run()
        #expect(try outbound(a) == "HTTP/1.1 200 OK\r\n\r\n")
        _ = try a.finish(acceptAlreadyClosed: true)
        _ = try b.finish(acceptAlreadyClosed: true)
    }

    @Test("a side reads only while its partner is writable (back-pressure)")
    func backPressure() throws {
        let loop = EmbeddedEventLoop()
        let (glueA, glueB) = GlueHandler.matchedPair(first: loop, second: loop)
        let recorder = ReadRecorder()
        let a = EmbeddedChannel(handlers: [recorder, glueA], loop: loop)
        let b = EmbeddedChannel(handler: glueB, loop: loop)
        a.read()
        #expect(recorder.reads == 1)
        b.isWritable = false
        b.pipeline.fireChannelWritabilityChanged()
        a.read()
        #expect(recorder.reads == 1, "a read went through while the partner was full")
        b.isWritable = true
        b.pipeline.fireChannelWritabilityChanged()
        #expect(recorder.reads == 2, "the held read did not go through when the partner drained")
        _ = try a.finish(acceptAlreadyClosed: true)
        _ = try b.finish(acceptAlreadyClosed: true)
    }

    @Test("a partner that has not joined counts as full; what was sent early arrives when it joins, in order")
    func earlyPartner() throws {
        let loop = EmbeddedEventLoop()
        let (glueA, glueB) = GlueHandler.matchedPair(first: loop, second: loop)
        let recorder = ReadRecorder()
        let a = EmbeddedChannel(handlers: [recorder, glueA], loop: loop)
        glueA.forwardToPartner([buffer("head "), buffer("read by the router ")])
        try a.writeInbound(buffer("then the body"))
        a.read()
        #expect(recorder.reads == 0)
        let b = EmbeddedChannel(handler: glueB, loop: loop)
        a.pipeline.fireChannelReadComplete()
        #expect(try outbound(b) == "head read by the router then the body")
        #expect(recorder.reads == 1)
        _ = try a.finish(acceptAlreadyClosed: true)
        _ = try b.finish(acceptAlreadyClosed: true)
    }

    @Test("a close on either side closes the other; an abandoned half closes its partner", arguments: [true, false])
    func closes(abandon: Bool) throws {
        let loop = EmbeddedEventLoop()
        let (glueA, glueB) = GlueHandler.matchedPair(first: loop, second: loop)
        let b = EmbeddedChannel(handler: glueB, loop: loop)
        if abandon {
            glueA.abandon()
        } else {
            let a = EmbeddedChannel(handler: glueA, loop: loop)
            try a.close().wait()
        }
        loop.run()
        #expect(!b.isActive)
    }

    @Test("an error on one side closes both")
    func errorClosesBoth() throws {
        let loop = EmbeddedEventLoop()
        let (glueA, glueB) = GlueHandler.matchedPair(first: loop, second: loop)
        let a = EmbeddedChannel(handler: glueA, loop: loop)
        let b = EmbeddedChannel(handler: glueB, loop: loop)
        a.pipeline.fireErrorCaught(ChannelError.ioOnClosedChannel)
        loop.run()
        #expect(!a.isActive)
        #expect(!b.isActive)
    }
}
