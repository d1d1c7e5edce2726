import BurrowNIO
import NIOCore
import NIOEmbedded
import Testing

/// Two loops, bursts of one read (the usual HTTP request or response): each
/// crosses alone and is flushed, in order with batches of several reads, and
/// one that arrives before the partner joined waits for it.
@Suite("GlueHandler, bursts of one read across loops (EmbeddedChannel)")
struct GlueHandlerOneReadTests {
    private func outbound(_ channel: EmbeddedChannel) throws -> [String] {
        var parts: [String] = []
        while let part = try channel.readOutbound(as: ByteBuffer.self) { parts.append(String(buffer: part)) }
        return parts
    }

    /// A glued pair on two loops: side A's channel, and side B's loop and glue (B joins when the test says).
    private func sideA() -> (EmbeddedChannel, EmbeddedEventLoop, GlueHandler) {
        let loopA = EmbeddedEventLoop()
        let loopB = EmbeddedEventLoop()
        let (glueA, glueB) = GlueHandler.matchedPair(first: loopA, second: loopB)
        return (EmbeddedChannel(handler: glueA, loop: loopA), loopB, glueB)
    }

    @Test("one-read bursts and many-read bursts alternate, each flushed when it arrives, in order")
    func oneReadBursts() throws {
        let (a, loopB, glueB) = sideA()
        let b = EmbeddedChannel(handler: glueB, loop: loopB)
        for round in 0..<3 {
            try a.writeInbound(ByteBuffer(string: "one\(round)"))
            a.pipeline.fireChannelReadComplete()
            loopB.run()
            #expect(try outbound(b) == ["one\(round)"])
            try a.writeInbound(ByteBuffer(string: "x\(round)"))
            try a.writeInbound(ByteBuffer(string: "y\(round)"))
            a.pipeline.fireChannelReadComplete()
            try a.writeInbound(ByteBuffer(string: "z\(round)"))
            a.pipeline.fireChannelReadComplete()
            loopB.run()
            #expect(try outbound(b) == ["x\(round)", "y\(round)", "z\(round)"])
        }
        _ = try a.finish(acceptAlreadyClosed: true)
        _ = try b.finish(acceptAlreadyClosed: true)
    }

    @Test("a one-read burst sent before the partner joined arrives when it joins")
    func oneReadBeforeTheJoin() throws {
        let (a, loopB, glueB) = sideA()
        try a.writeInbound(ByteBuffer(string: "early"))
        a.pipeline.fireChannelReadComplete()
        loopB.run()
        let b = EmbeddedChannel(handler: glueB, loop: loopB)
        loopB.run()
        #expect(try outbound(b) == ["early"])
        _ = try a.finish(acceptAlreadyClosed: true)
        _ = try b.finish(acceptAlreadyClosed: true)
    }
}
