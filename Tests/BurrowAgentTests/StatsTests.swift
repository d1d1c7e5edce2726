import BurrowCore
import BurrowNIO
import NIOCore
import NIOEmbedded
import Testing
@testable import BurrowAgent

/// The engine's pure parts: backoff, the ring buffer, mapping statistics and
/// the HTTP tap (on an EmbeddedChannel, with real NIOHTTP1 parsing).
@Suite struct StatsTests {
    @Test func backoffGrowsWithJitterAndCapsAt30Seconds() {
        let backoff = Backoff()
        #expect(backoff.delay(attempt: 0, random: 0.5) == 0.5)
        #expect(backoff.delay(attempt: 3, random: 0.5) == 4)
        #expect(backoff.delay(attempt: 0, random: 0) == 0.375)
        #expect(backoff.delay(attempt: 0, random: 1) == 0.625)
        for attempt in 0..<100 {
            #expect(backoff.delay(attempt: attempt, random: 1) <= 30)
        }
        #expect(backoff.delay(attempt: 10, random: 0) == 22.5)
    }

    @Test func boundedCircularBufferKeepsTheNewest() {
        var ring = CircularBuffer<Int>(initialCapacity: 3)
        for value in 1...5 { ring.append(keepingAtMost: 3, value) }
        #expect(Array(ring) == [3, 4, 5])
        ring.updateNewest(where: { $0 == 4 }) { $0 = 40 }
        #expect(Array(ring) == [3, 40, 5])
    }

    @Test func mappingStatsCountVisitorsBytesRatesAndHistory() {
        let stats = MappingStats()
        let start = 1_000_000.0
        stats.sample(now: start)
        let first = stats.visitorOpened(address: "203.0.113.7:5000")
        first.tally.read.add(1000, ordering: .relaxed)
        first.tally.written.add(4000, ordering: .relaxed)
        stats.sample(now: start + 1)
        let second = stats.visitorOpened(address: "203.0.113.8:5001")
        second.tally.read.add(500, ordering: .relaxed)
        stats.visitorClosed(id: first.id)

        var snapshot = MappingSnapshot(mapping: .tcp("m", 1), tunnel: "t", state: .online)
        stats.fill(&snapshot, now: start + 2)
        #expect(snapshot.totalVisitors == 2)
        #expect(snapshot.openVisitors == 1)
        #expect(snapshot.bytesIn == 1500)
        #expect(snapshot.bytesOut == 4000)
        // Last second: 500 bytes in since the sample at start+1.
        #expect(snapshot.rateIn1s == 500)
        #expect(snapshot.rateOut1s == 0)
        // Over the 2 s of history we have: 1500 in, 4000 out.
        #expect(snapshot.rateIn10s == 750)
        #expect(snapshot.rateOut10s == 2000)
        #expect(snapshot.history.count == 60)
        #expect(snapshot.history.last == 5000)
        #expect(snapshot.history.dropLast().allSatisfy { $0 == 0 })
        #expect(snapshot.durationP50Ms != nil)
        #expect(snapshot.recentVisitors.count == 2)
        #expect(snapshot.recentVisitors.first?.address == "203.0.113.8:5001")  // newest first, still open
        #expect(snapshot.recentVisitors.first?.durationMs == nil)
        #expect(snapshot.recentVisitors.last?.bytesOut == 4000)
        #expect(snapshot.visitorsPerSecond1m == 1)  // 2 visitors over the 2 s seen so far
    }

    @Test func recentVisitorsAreCappedAt50() {
        let stats = MappingStats()
        for index in 0..<80 {
            let visitor = stats.visitorOpened(address: "192.0.2.1:\(index)")
            stats.visitorClosed(id: visitor.id)
        }
        var snapshot = MappingSnapshot(mapping: .tcp("m", 1), tunnel: "t", state: .online)
        stats.fill(&snapshot)
        #expect(snapshot.totalVisitors == 80)
        #expect(snapshot.recentVisitors.count == 50)
        #expect(snapshot.recentVisitors.first?.address == "192.0.2.1:79")
    }

    @Test func httpTapRecordsRequestsWithoutChangingBytes() throws {
        let stats = MappingStats()
        let channel = EmbeddedChannel(handler: HTTPTap(stats: stats))
        defer { _ = try? channel.finish() }

        let request = "GET /a?x=1 HTTP/1.1\r\nHost: app.localhost\r\n\r\nHEAD /b HTTP/1.1\r\nHost: app.localhost\r\n\r\n"
        try channel.writeInbound(ByteBuffer(string: request))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: request))

        // Two responses, the second to HEAD (a length but no body), split oddly.
        let responses = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n"
        for piece in [String(responses.prefix(20)), String(responses.dropFirst(20))] {
            try channel.writeOutbound(ByteBuffer(string: piece))
            #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: piece))
        }
        var snapshot = MappingSnapshot(mapping: .http("m", 1), tunnel: "t", state: .online)
        stats.fill(&snapshot)
        #expect(snapshot.recentRequests.count == 2)
        let head = snapshot.recentRequests[0]
        let get = snapshot.recentRequests[1]
        #expect(get.method == "GET")
        #expect(get.path == "/a?x=1")
        #expect(get.status == 200)
        #expect(get.responseBytes == 5)
        #expect(get.durationMs != nil)
        #expect(head.method == "HEAD")
        #expect(head.status == 404)
        #expect(head.responseBytes == 0)
    }

    @Test func httpTapStopsAfterAnUpgrade() throws {
        let stats = MappingStats()
        let channel = EmbeddedChannel(handler: HTTPTap(stats: stats))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(ByteBuffer(string: "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"))
        try channel.writeOutbound(ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"))
        // WebSocket frames afterwards: not HTTP, passed through, not parsed.
        let frame = ByteBuffer(bytes: [0x81, 0x02, 0x68, 0x69])
        try channel.writeInbound(frame)
        try channel.writeOutbound(frame)
        _ = try channel.readInbound(as: ByteBuffer.self)
        #expect(try channel.readInbound(as: ByteBuffer.self) == frame)
        _ = try channel.readOutbound(as: ByteBuffer.self)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == frame)
        var snapshot = MappingSnapshot(mapping: .http("m", 1), tunnel: "t", state: .online)
        stats.fill(&snapshot)
        #expect(snapshot.recentRequests.count == 1)
        #expect(snapshot.recentRequests.first?.status == 101)
    }
}
