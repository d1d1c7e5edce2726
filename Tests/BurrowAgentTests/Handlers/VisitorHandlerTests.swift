import BurrowCore
import NIOCore
import NIOEmbedded
import NIOSSH
import Testing

@testable import BurrowAgent

/// The visitor's record keeper on an EmbeddedChannel, against a real
/// `MappingStats`: its record closes when the channel goes. (A second close
/// of one id would not show: `MappingStats.visitorClosed` ignores an id it
/// no longer holds, so "once" rests on that as much as on the handler.)
@Suite("VisitorHandler (EmbeddedChannel)")
struct VisitorHandlerTests {
    private func snapshot(_ stats: MappingStats) -> MappingSnapshot {
        var snapshot = MappingSnapshot(mapping: Mapping(name: "m", protocol: .tcp, local: LocalAddress(port: 1)), tunnel: "t", state: .online)
        stats.fill(&snapshot, now: WallClock.now())
        return snapshot
    }

    /// Closed records, by address.
    private func closed(_ stats: MappingStats) -> [String] {
        snapshot(stats).recentVisitors.filter { $0.durationMs != nil }.map(\.address)
    }

    @Test("inactive closes this visitor's record and no other; the teardown after it leaves the stats as they were")
    func inactiveThenRemoved() throws {
        let stats = MappingStats()
        let mine = stats.visitorOpened(address: "203.0.113.7:5000")
        _ = stats.visitorOpened(address: "203.0.113.8:5001")
        let channel = EmbeddedChannel(handler: VisitorHandler(stats: stats, id: mine.id, tally: mine.tally))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(snapshot(stats).openVisitors == 2)
        channel.pipeline.fireChannelInactive()
        #expect(snapshot(stats).openVisitors == 1)
        #expect(closed(stats) == ["203.0.113.7:5000"])
        _ = try channel.finish()  // inactive again, then removed
        channel.embeddedEventLoop.run()
        #expect(snapshot(stats).openVisitors == 1)
        #expect(closed(stats) == ["203.0.113.7:5000"])
    }

    @Test("a channel torn down without ever being active still closes the record")
    func neverActive() throws {
        let stats = MappingStats()
        let mine = stats.visitorOpened(address: "203.0.113.7:5000")
        let channel = EmbeddedChannel(handler: VisitorHandler(stats: stats, id: mine.id, tally: mine.tally))
        _ = try channel.finish()
        channel.embeddedEventLoop.run()
        #expect(snapshot(stats).openVisitors == 0)
        #expect(closed(stats) == ["203.0.113.7:5000"])
    }

    @Test("bytes and the inactive event pass through untouched")
    func passesThrough() throws {
        final class Tail: ChannelInboundHandler {
            typealias InboundIn = ByteBuffer
            var inactive = 0
            func channelInactive(context: ChannelHandlerContext) { inactive += 1 }
        }
        let stats = MappingStats()
        let tail = Tail()
        let visitor = stats.visitorOpened(address: "a")
        let channel = EmbeddedChannel(handlers: [VisitorHandler(stats: stats, id: visitor.id, tally: visitor.tally)])
        try channel.pipeline.syncOperations.addHandler(tail)
        try channel.writeInbound(SSHChannelData(type: .channel, data: .byteBuffer(ByteBuffer(string: "in"))))
        try channel.writeOutbound(ByteBuffer(string: "out"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "in"))
        #expect(try channel.readOutbound(as: SSHChannelData.self) == SSHChannelData(type: .channel, data: .byteBuffer(ByteBuffer(string: "out"))))
        #expect(visitor.tally.readBytes == 2 && visitor.tally.writtenBytes == 3)
        channel.pipeline.fireChannelInactive()
        #expect(tail.inactive == 1)
        _ = try channel.finish()
    }
}
