import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowRelay

/// The idle closer on an EmbeddedChannel. It stamps activity with
/// `NIODeadline.now()` (the wall clock) and compares it with the wall clock
/// when its timer fires; only the timer runs on the loop's clock. So
/// `advanceTime` fires the timer, but the handler then sees the few
/// microseconds that really passed, not the loop's time, and re-arms: an
/// idle visitor cannot be closed, nor a read seen to reset it, without
/// really waiting. What can be tested without waiting is tested here.
@Suite("VisitorIdleHandler (EmbeddedChannel)")
struct VisitorIdleHandlerTests {
    final class Counter {
        var value = 0
    }

    private func openChannel(timeout: TimeAmount, idle: Counter) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "203.0.113.7", port: 5000)).wait()
        try channel.pipeline.syncOperations.addHandler(VisitorIdleHandler(timeout: timeout) { idle.value += 1 })
        return channel
    }

    @Test("advancing the loop's clock past the timeout closes an idle visitor")
    func closesOnTheLoopsClock() throws {
        let idle = Counter()
        let channel = try openChannel(timeout: .seconds(30), idle: idle)
        channel.embeddedEventLoop.advanceTime(by: .seconds(31))
        #expect(idle.value == 1)
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a read or a write restarts the wait: idle means no byte either way for the whole timeout")
    func trafficResetsTheWait() throws {
        let idle = Counter()
        let channel = try openChannel(timeout: .seconds(30), idle: idle)
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        try channel.writeInbound(ByteBuffer(string: "a read"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        try channel.writeOutbound(ByteBuffer(string: "a write"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        #expect(idle.value == 0, "closed although bytes moved within every 30 s")
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(idle.value == 1)
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("nothing closes before the timeout")
    func notBefore() throws {
        let idle = Counter()
        let channel = try openChannel(timeout: .seconds(30), idle: idle)
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(idle.value == 0)
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    // A timeout of one nanosecond has always passed on the wall clock by the
    // time the timer fires: these see what happens at expiry.

    @Test("at expiry: onIdle once, then the visitor is closed; the timer does not fire again")
    func expiry() throws {
        let idle = Counter()
        let channel = try openChannel(timeout: .nanoseconds(1), idle: idle)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(idle.value == 1)
        #expect(!channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(idle.value == 1)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a visitor that went inactive is not closed again by the timer")
    func cancelledOnInactive() throws {
        let idle = Counter()
        let channel = try openChannel(timeout: .nanoseconds(1), idle: idle)
        channel.pipeline.fireChannelInactive()
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(idle.value == 0)
        _ = try channel.finish()
    }

    @Test("reads and writes pass through untouched")
    func passesBytes() throws {
        let idle = Counter()
        let channel = try openChannel(timeout: .seconds(30), idle: idle)
        try channel.writeInbound(ByteBuffer(string: "in"))
        try channel.writeOutbound(ByteBuffer(string: "out"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "in"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "out"))
        _ = try channel.finish()
    }
}
