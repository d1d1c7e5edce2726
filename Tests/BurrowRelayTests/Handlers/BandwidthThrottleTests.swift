import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowRelay

/// The throttle and its bucket on EmbeddedChannels. Both read the real
/// clocks (`NIODeadline.now()`, `ContinuousClock.now`), not the loop's: the
/// held read or flush is scheduled at a wall-clock deadline, so the tests
/// advance the loop to `NIODeadline.now() + …`, and a release re-checks the
/// wall clock (the loop re-runs the task until the debt's deadline passes:
/// the debts that are released here are 50 ms).
@Suite("BandwidthThrottle (EmbeddedChannel)")
struct BandwidthThrottleTests {
    /// Stands for the socket: counts the reads and flushes that reach it.
    final class SocketSide: ChannelDuplexHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        var reads = 0
        var flushes = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
        func flush(context: ChannelHandlerContext) {
            flushes += 1
            context.flush()
        }
    }

    private func bytes(_ count: Int) -> ByteBuffer { ByteBuffer(repeating: 0x61, count: count) }

    /// A bucket of `rate` bytes per second with its burst already spent.
    private func emptyBucket(_ rate: Int) -> TokenBucket {
        let bucket = TokenBucket(bytesPerSecond: rate)
        _ = bucket.take(rate / 4)
        return bucket
    }

    @Test("the bucket gives a quarter second of burst, then the wait its debt takes at its rate")
    func bucket() {
        let bucket = TokenBucket(bytesPerSecond: 1000)
        #expect(bucket.take(250) == .zero)
        let wait = bucket.take(1000)
        #expect(wait > .milliseconds(900) && wait <= .seconds(1), "waited \(wait)")
        // A fresh bucket holds a quarter second, not more.
        let fresh = TokenBucket(bytesPerSecond: 1000).take(500)
        #expect(fresh > .milliseconds(200) && fresh <= .milliseconds(250), "waited \(fresh)")
    }

    @Test("within the burst reads and flushes go straight through, bytes untouched")
    func withinBurst() throws {
        let socket = SocketSide()
        let channel = EmbeddedChannel(handlers: [socket, BandwidthThrottle(bucket: TokenBucket(bytesPerSecond: 1_000_000))])
        try channel.writeInbound(bytes(1000))
        channel.read()
        #expect(socket.reads == 1)
        try channel.writeOutbound(bytes(1000))
        #expect(socket.flushes == 1)
        #expect(try channel.readInbound(as: ByteBuffer.self) == bytes(1000))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == bytes(1000))
        _ = try channel.finish()
    }

    @Test("upload: after a read puts the bucket in debt, the next read waits for the debt's deadline")
    func uploadHeld() throws {
        let socket = SocketSide()
        let channel = EmbeddedChannel(handlers: [socket, BandwidthThrottle(bucket: emptyBucket(1000))])
        try channel.writeInbound(bytes(1000))  // one second of debt
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 1000, "the bytes read are not held")
        channel.read()
        channel.read()
        #expect(socket.reads == 0)
        channel.embeddedEventLoop.advanceTime(to: .now() + .milliseconds(500))
        #expect(socket.reads == 0, "the held read went through half-way through the debt")
        _ = try channel.finish()
    }

    @Test("upload: many reads asked in debt become one read when it is paid")
    func uploadReleased() throws {
        let socket = SocketSide()
        let channel = EmbeddedChannel(handlers: [socket, BandwidthThrottle(bucket: emptyBucket(20_000))])
        try channel.writeInbound(bytes(1000))  // 50 ms of debt
        channel.read()
        channel.read()
        channel.read()
        channel.embeddedEventLoop.advanceTime(to: .now() + .seconds(1))
        #expect(socket.reads == 1)
        channel.read()
        #expect(socket.reads == 2, "a read after the debt was paid was held")
        _ = try channel.finish()
    }

    @Test("download: writes in debt are queued unflushed until the debt is paid")
    func downloadHeld() throws {
        let socket = SocketSide()
        let channel = EmbeddedChannel(handlers: [socket, BandwidthThrottle(bucket: emptyBucket(20_000))])
        channel.write(bytes(1000), promise: nil)  // 50 ms of debt
        channel.flush()
        #expect(socket.flushes == 0)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.advanceTime(to: .now() + .seconds(1))
        #expect(socket.flushes == 1)
        #expect(try channel.readOutbound(as: ByteBuffer.self)?.readableBytes == 1000)
        _ = try channel.finish()
    }

    @Test("visitors of one mapping share the bucket: one's debt holds the other")
    func sharedBucket() throws {
        let bucket = TokenBucket(bytesPerSecond: 1000)
        let socketA = SocketSide(), socketB = SocketSide()
        let a = EmbeddedChannel(handlers: [socketA, BandwidthThrottle(bucket: bucket)])
        let b = EmbeddedChannel(handlers: [socketB, BandwidthThrottle(bucket: bucket)])
        try a.writeInbound(bytes(1250))  // the burst and one second more
        try b.writeInbound(bytes(1))
        b.read()
        #expect(socketB.reads == 0, "B read on while A had emptied their bucket")
        _ = try a.finish()
        _ = try b.finish()
    }

    @Test("a held read and flush are dropped when the visitor goes (channelInactive)")
    func cancelledOnInactive() throws {
        let socket = SocketSide()
        let channel = EmbeddedChannel(handlers: [socket, BandwidthThrottle(bucket: emptyBucket(20_000))])
        try channel.writeInbound(bytes(1000))  // 50 ms of debt
        channel.read()
        channel.write(bytes(10), promise: nil)
        channel.flush()
        channel.pipeline.fireChannelInactive()
        channel.embeddedEventLoop.advanceTime(to: .now() + .seconds(1))
        #expect(socket.reads == 0)
        #expect(socket.flushes == 0)
        _ = try channel.finish()
    }
}
