import BurrowNIO
import NIOCore
import NIOEmbedded
import Testing

/// `FlushCoalescingHandler` on a quiet loop: the first flush of a tick goes
/// out at once (no wait for the end of the tick, which only delayed a lone
/// request), the flushes after it in the same tick are coalesced, and a tick
/// with several flushes makes the next one coalesce from its first flush.
@Suite("FlushCoalescingHandler on a quiet loop (EmbeddedChannel)")
struct FlushCoalescingQuietTickTests {
    /// Sits nearer the socket than the coalescer and counts the flushes that reach it.
    final class FlushCounter: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        var flushes = 0

        func flush(context: ChannelHandlerContext) {
            flushes += 1
            context.flush()
        }
    }

    private func outbound(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let part = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: part) }
        return text
    }

    private func setUp() throws -> (EmbeddedChannel, FlushCounter) {
        let counter = FlushCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([counter, FlushCoalescingHandler()])
        return (channel, counter)
    }

    @Test("the first flush of a quiet tick goes out at once, its write's promise done before the tick ends")
    func firstFlushOfQuietTickIsImmediate() throws {
        let (channel, counter) = try setUp()
        let written = channel.writeAndFlush(ByteBuffer(string: "request"))
        var done = false
        written.assumeIsolated().whenSuccess { done = true }
        #expect(counter.flushes == 1, "the lone flush waited for the end of the tick")
        #expect(done)
        #expect(try outbound(channel) == "request")
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 1, "the end of the tick flushed again with nothing pending")
        // One request per tick, tick after tick: each goes out at once.
        for round in 0..<3 {
            channel.writeAndFlush(ByteBuffer(string: "r\(round)"), promise: nil)
            #expect(try outbound(channel) == "r\(round)")
            channel.embeddedEventLoop.run()
        }
        #expect(counter.flushes == 4)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("flushes after the first in one tick leave together at its end, in order")
    func laterFlushesOfTheTickAreCoalesced() throws {
        let (channel, counter) = try setUp()
        for part in ["one ", "two ", "three"] {
            channel.writeAndFlush(ByteBuffer(string: part), promise: nil)
        }
        #expect(counter.flushes == 1)
        #expect(try outbound(channel) == "one ")
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 2)
        #expect(try outbound(channel) == "two three")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("after a busy tick the next coalesces from its first flush; a quiet tick turns it back")
    func busyTickMakesTheNextCoalesce() throws {
        let (channel, counter) = try setUp()
        channel.writeAndFlush(ByteBuffer(string: "a"), promise: nil)
        channel.writeAndFlush(ByteBuffer(string: "b"), promise: nil)
        channel.embeddedEventLoop.run()
        #expect(try outbound(channel) == "ab")
        #expect(counter.flushes == 2)
        // Busy: this tick's flushes all wait for its end, one flush for all.
        channel.writeAndFlush(ByteBuffer(string: "c"), promise: nil)
        channel.writeAndFlush(ByteBuffer(string: "d"), promise: nil)
        #expect(counter.flushes == 2)
        #expect(try outbound(channel) == "")
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 3)
        #expect(try outbound(channel) == "cd")
        // A tick with one flush (still coalesced: the one before was busy)...
        channel.writeAndFlush(ByteBuffer(string: "e"), promise: nil)
        #expect(try outbound(channel) == "")
        channel.embeddedEventLoop.run()
        #expect(try outbound(channel) == "e")
        // ...makes the loop quiet again: the next flush goes out at once.
        channel.writeAndFlush(ByteBuffer(string: "f"), promise: nil)
        #expect(try outbound(channel) == "f")
        #expect(counter.flushes == 5)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a close right after an immediate flush and a pending one: everything leaves before the close")
    func closeAfterMixedFlushes() throws {
        let (channel, counter) = try setUp()
        channel.writeAndFlush(ByteBuffer(string: "first "), promise: nil)
        let last = channel.writeAndFlush(ByteBuffer(string: "last"))
        var delivered = false
        last.assumeIsolated().whenSuccess { delivered = true }
        channel.close(promise: nil)
        #expect(delivered, "the pending write was failed by the close instead of flushed")
        #expect(counter.flushes == 2)
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 2)
    }
}
