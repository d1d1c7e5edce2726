import BurrowNIO
import NIOCore
import NIOEmbedded
import Testing

/// The handler in front of `NIOSSHHandler` that makes the flushes of one
/// event-loop tick one socket flush, on EmbeddedChannels.
@Suite("FlushCoalescingHandler (EmbeddedChannel)")
struct FlushCoalescingHandlerTests {
    /// Sits nearer the socket than the coalescer and records what reaches it.
    final class EventRecorder: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        var events: [String] = []
        var flushes: Int { events.filter { $0 == "flush" }.count }

        func flush(context: ChannelHandlerContext) {
            events.append("flush")
            context.flush()
        }

        func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
            events.append("close")
            context.close(mode: mode, promise: promise)
        }
    }

    private func outbound(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let part = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: part) }
        return text
    }

    private func setUp() throws -> (EmbeddedChannel, EventRecorder) {
        let recorder = EventRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([recorder, FlushCoalescingHandler()])
        return (channel, recorder)
    }

    @Test("several flushes in one tick leave as one flush at the end of the tick, nothing reordered")
    func flushesOfOneTickBecomeOne() throws {
        let (channel, recorder) = try setUp()
        for part in ["one ", "two ", "three"] {
            channel.writeAndFlush(ByteBuffer(string: part), promise: nil)
        }
        #expect(recorder.flushes == 0, "a flush went through before the end of the tick")
        #expect(try outbound(channel) == "")
        channel.embeddedEventLoop.run()
        #expect(recorder.flushes == 1)
        #expect(try outbound(channel) == "one two three")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a write's promise completes with the deferred flush")
    func promiseCompletesAtTheFlush() throws {
        let (channel, _) = try setUp()
        let written = channel.writeAndFlush(ByteBuffer(string: "x"))
        var done = false
        written.assumeIsolated().whenSuccess { done = true }
        #expect(!done)
        channel.embeddedEventLoop.run()
        #expect(done)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("every tick gets its own flush: none is lost once the loop has run")
    func noFlushLostAcrossTicks() throws {
        let (channel, recorder) = try setUp()
        channel.writeAndFlush(ByteBuffer(string: "a"), promise: nil)
        channel.embeddedEventLoop.run()
        #expect(try outbound(channel) == "a")
        channel.writeAndFlush(ByteBuffer(string: "b"), promise: nil)
        channel.writeAndFlush(ByteBuffer(string: "c"), promise: nil)
        channel.embeddedEventLoop.run()
        #expect(try outbound(channel) == "bc")
        // A flush scheduled from inside a task of the loop (a hop from another loop) also goes out.
        channel.embeddedEventLoop.execute {
            channel.writeAndFlush(ByteBuffer(string: "d"), promise: nil)
        }
        channel.embeddedEventLoop.run()
        #expect(try outbound(channel) == "d")
        #expect(recorder.flushes == 3)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a close flushes what is pending first, at once")
    func closeFlushesFirst() throws {
        let (channel, recorder) = try setUp()
        let written = channel.writeAndFlush(ByteBuffer(string: "last words"))
        var delivered = false
        written.assumeIsolated().whenSuccess { delivered = true }
        channel.close(promise: nil)
        #expect(recorder.events == ["flush", "close"])
        #expect(delivered, "the pending write was failed by the close instead of flushed")
        channel.embeddedEventLoop.run()
        #expect(recorder.flushes == 1, "the scheduled flush ran again after the close")
    }

    @Test("a write without a flush stays unflushed")
    func writeAloneIsNotFlushed() throws {
        let (channel, recorder) = try setUp()
        channel.write(ByteBuffer(string: "later"), promise: nil)
        channel.embeddedEventLoop.run()
        #expect(recorder.flushes == 0)
        #expect(try outbound(channel) == "")
        channel.flush()
        channel.embeddedEventLoop.run()
        #expect(try outbound(channel) == "later")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("removing the handler flushes what is pending")
    func removalFlushes() throws {
        let (channel, recorder) = try setUp()
        channel.writeAndFlush(ByteBuffer(string: "pending"), promise: nil)
        let coalescer = try channel.pipeline.syncOperations.handler(type: FlushCoalescingHandler.self)
        try channel.pipeline.syncOperations.removeHandler(coalescer).wait()
        #expect(recorder.flushes == 1)
        #expect(try outbound(channel) == "pending")
        channel.embeddedEventLoop.run()
        #expect(recorder.flushes == 1)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
