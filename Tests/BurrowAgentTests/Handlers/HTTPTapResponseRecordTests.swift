import BurrowCore
import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowAgent

/// When the tap gives a response to the mapping's statistics: a head and its
/// end seen in one read are recorded together; a head whose body is still
/// coming is listed (status, and in the inspector reason and headers) as soon
/// as the read that carried it has passed, not only when the body ends.
@Suite("HTTPTap response records (EmbeddedChannel)")
struct HTTPTapResponseRecordTests {
    private func request(_ stats: MappingStats) -> HTTPRequestRecord? {
        var snapshot = MappingSnapshot(mapping: .http("m", 1), tunnel: "t", state: .online)
        stats.fill(&snapshot)
        return snapshot.recentRequests.first
    }

    /// A tap on a fresh mapping's statistics, after `requests` went through it.
    private func tap(inspecting: Bool, after requests: String) throws -> (MappingStats, EmbeddedChannel) {
        let stats = MappingStats(inspector: Inspector(isOn: inspecting))
        let channel = EmbeddedChannel(handler: HTTPTap(stats: stats, mapping: "m", visitor: "192.0.2.1:1"))
        try channel.writeInbound(ByteBuffer(string: requests))
        return (stats, channel)
    }

    @Test("a head is listed after its read even while its body is still coming", arguments: [false, true])
    func headBeforeBody(inspecting: Bool) throws {
        let (stats, channel) = try tap(inspecting: inspecting, after: "GET /slow HTTP/1.1\r\nHost: m\r\n\r\n")
        defer { _ = try? channel.finish() }
        try channel.writeOutbound(ByteBuffer(string: "HTTP/1.1 206 Partial Content\r\nContent-Length: 6\r\nX-A: b\r\n\r\nabc"))
        let early = try #require(request(stats))
        #expect(early.status == 206)
        #expect(early.responseBytes == nil)
        if inspecting {
            let exchange = try #require(stats.exchanges(limit: 1).first)
            #expect(exchange.status == 206 && exchange.reason == "Partial Content" && exchange.firstByteMs != nil)
            #expect(exchange.responseHeaders.map(\.name) == ["Content-Length", "X-A"])
            #expect(exchange.totalMs == nil)
        }
        try channel.writeOutbound(ByteBuffer(string: "def"))
        let done = try #require(request(stats))
        #expect(done.status == 206 && done.responseBytes == 6 && done.durationMs != nil)
        if inspecting {
            let exchange = try #require(stats.exchanges(limit: 1).first)
            #expect(exchange.responseBody == Array("abcdef".utf8) && exchange.responseBodyBytes == 6 && exchange.totalMs != nil)
        }
    }

    @Test("a head and its end in one read are recorded together, each answer with its own request", arguments: [false, true])
    func headAndEndTogether(inspecting: Bool) throws {
        let (stats, channel) = try tap(inspecting: inspecting,
                                       after: "GET /1 HTTP/1.1\r\nHost: m\r\n\r\nGET /2 HTTP/1.1\r\nHost: m\r\n\r\nGET /3 HTTP/1.1\r\nHost: m\r\n\r\n")
        defer { _ = try? channel.finish() }
        // Two whole answers and the head of a third in one read; the third's end in the next.
        try channel.writeOutbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            + "HTTP/1.1 500 Oops\r\nContent-Length: 1\r\n\r\n"))
        var snapshot = MappingSnapshot(mapping: .http("m", 1), tunnel: "t", state: .online)
        stats.fill(&snapshot)
        #expect(snapshot.recentRequests.map(\.path) == ["/3", "/2", "/1"])
        #expect(snapshot.recentRequests.map(\.status) == [500, 404, 200])
        #expect(snapshot.recentRequests.map(\.responseBytes) == [nil, 0, 2])
        try channel.writeOutbound(ByteBuffer(string: "!"))
        stats.fill(&snapshot)
        #expect(snapshot.recentRequests.map(\.responseBytes) == [1, 0, 2])
        #expect(snapshot.recentRequests.allSatisfy { $0.durationMs != nil })
        if inspecting {
            let kept = stats.exchanges(limit: 3)
            #expect(kept.map(\.status) == [500, 404, 200])
            #expect(kept.map(\.reason) == ["Oops", "Not Found", "OK"])
            #expect(kept.map(\.responseBody) == [Array("!".utf8), [], Array("ok".utf8)])
            #expect(kept.allSatisfy { $0.firstByteMs != nil && $0.totalMs != nil && $0.answeredBy == .localService })
        }
    }

    @Test("a response that runs to the connection's close is recorded when the channel goes")
    func untilClose() throws {
        let (stats, channel) = try tap(inspecting: true, after: "GET / HTTP/1.0\r\n\r\n")
        try channel.writeOutbound(ByteBuffer(string: "HTTP/1.0 200 OK\r\n\r\nall of it"))
        #expect(request(stats)?.status == 200)
        _ = try channel.finish()
        #expect(request(stats)?.responseBytes == 9)
    }
}
