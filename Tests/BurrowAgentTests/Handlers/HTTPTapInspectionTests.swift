import BurrowCore
import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowAgent

/// The tap with the inspector on, on an EmbeddedChannel against a real
/// `MappingStats`: what it keeps of each exchange, and that the bytes it
/// forwards are the bytes it got.
@Suite("HTTPTap inspection (EmbeddedChannel)")
struct HTTPTapInspectionTests {
    private func tap(_ stats: MappingStats) -> EmbeddedChannel {
        EmbeddedChannel(handler: HTTPTap(stats: stats, mapping: "web", visitor: "203.0.113.7:5000"))
    }

    private func pass(_ channel: EmbeddedChannel, inbound pieces: [String]) throws {
        for piece in pieces {
            try channel.writeInbound(ByteBuffer(string: piece))
            #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: piece))
        }
    }

    private func pass(_ channel: EmbeddedChannel, outbound pieces: [String]) throws {
        for piece in pieces {
            try channel.writeOutbound(ByteBuffer(string: piece))
            #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: piece))
        }
    }

    @Test("pipelined requests, a chunked body split anywhere, headers in order, each answer matched to its request")
    func pipelinedAndChunked() throws {
        let stats = MappingStats()
        let channel = tap(stats)
        defer { _ = try? channel.finish() }
        let requests = "POST /up HTTP/1.1\r\nHost: web\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\nX-A: 2\r\n\r\n"
            + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n"
            + "GET /second HTTP/1.0\r\nHost: web\r\n\r\n"
        try pass(channel, inbound: [String(requests.prefix(70)), String(requests.dropFirst(70).prefix(9)), String(requests.dropFirst(79))])
        let responses = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-B: b\r\n\r\nokHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        try pass(channel, outbound: [String(responses.prefix(50)), String(responses.dropFirst(50))])

        let kept = stats.exchanges(limit: 10)
        #expect(kept.map(\.target) == ["/second", "/up"])
        let post = kept[1]
        #expect(post.mapping == "web")
        #expect(post.visitor == "203.0.113.7:5000")
        #expect(post.requestHeaders.map(\.name) == ["Host", "X-A", "Transfer-Encoding", "X-A"])
        #expect(post.requestHeaders.filter { $0.name == "X-A" }.map(\.value) == ["1", "2"])
        #expect(post.requestBody == Array("hello world".utf8))
        #expect(post.requestBodyBytes == 11)
        #expect(post.status == 201)
        #expect(post.reason == "Created")
        #expect(post.responseHeaders == [HTTPHeaderField(name: "Content-Length", value: "2"), HTTPHeaderField(name: "X-B", value: "b")])
        #expect(post.responseBody == Array("ok".utf8))
        #expect(post.totalMs != nil && post.firstByteMs != nil)
        let get = kept[0]
        #expect(get.version == "HTTP/1.0")
        #expect(get.status == 200)
        #expect(get.responseBody == Array("abc".utf8))
        #expect(get.responseBodyBytes == 3)
        #expect(get.id > post.id)
        #expect(stats.exchange(id: post.id) == post)
    }

    @Test("a body over 64 KiB: the first 64 KiB kept, the full size counted, the bytes passed whole")
    func largeBodiesAreCut() throws {
        let stats = MappingStats()
        let channel = tap(stats)
        defer { _ = try? channel.finish() }
        let size = 200_000
        try pass(channel, inbound: ["PUT /big HTTP/1.1\r\nContent-Length: \(size)\r\n\r\n"])
        var body = ByteBuffer(bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0) })
        while body.readableBytes > 0 {
            let piece = body.readSlice(length: min(30_000, body.readableBytes))!
            try channel.writeInbound(piece)
            #expect(try channel.readInbound(as: ByteBuffer.self) == piece)
        }
        try pass(channel, outbound: ["HTTP/1.1 204 No Content\r\n\r\n"])
        let put = try #require(stats.exchanges(limit: 1).first)
        #expect(put.requestBodyBytes == UInt64(size))
        #expect(put.requestBody == (0..<HTTPExchange.bodyCaptureLimit).map { UInt8(truncatingIfNeeded: $0) })
        #expect(put.requestBodyTruncated)
        #expect(put.status == 204)
        #expect(put.responseBody.isEmpty)
        #expect(!put.responseBodyTruncated)
    }

    @Test("the agent's own 502 is answered by the agent; a response that runs to the close ends with the connection")
    func agentPageAndUntilClose() throws {
        let stats = MappingStats()
        let channel = tap(stats)
        try pass(channel, inbound: ["GET /a HTTP/1.1\r\nHost: web\r\n\r\n"])
        try channel.writeOutbound(LocalDialer.badGatewayPage(local: LocalAddress(port: 9)))
        _ = try channel.readOutbound(as: ByteBuffer.self)
        let page = try #require(stats.exchanges(limit: 1).first)
        #expect(page.answeredBy == .agent)
        #expect(page.status == 502)
        #expect(page.responseHeaders.contains { $0.name == "X-Burrow-Error" })

        try pass(channel, inbound: ["GET /stream HTTP/1.1\r\nHost: web\r\n\r\n"])
        try pass(channel, outbound: ["HTTP/1.1 200 OK\r\n\r\nall of ", "this"])
        #expect(stats.exchanges(limit: 1).first?.totalMs == nil)
        _ = try channel.finish()
        let stream = try #require(stats.exchanges(limit: 1).first)
        #expect(stream.responseBody == Array("all of this".utf8))
        #expect(stream.totalMs != nil)
    }

    @Test("inspection off: the request list still fills (id 0), no exchange is kept")
    func offKeepsNothing() throws {
        let stats = MappingStats(inspector: Inspector(isOn: false))
        let channel = tap(stats)
        defer { _ = try? channel.finish() }
        try pass(channel, inbound: ["POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"])
        try pass(channel, outbound: ["HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
        #expect(stats.exchanges(limit: 10).isEmpty)
        var snapshot = MappingSnapshot(mapping: .http("web", 1), tunnel: "t", state: .online)
        stats.fill(&snapshot)
        #expect(snapshot.recentRequests.map(\.path) == ["/x"])
        #expect(snapshot.recentRequests.first?.id == 0)
        #expect(snapshot.recentRequests.first?.status == 200)
        #expect(snapshot.recentRequests.first?.responseBytes == 0)
    }

    @Test("ids come from the engine's one inspector: two mappings never share one")
    func idsAreSharedAcrossMappings() throws {
        let inspector = Inspector()
        let one = MappingStats(inspector: inspector)
        let two = MappingStats(inspector: inspector)
        var ids: [UInt64] = []
        for index in 0..<10 {
            let stats = index.isMultiple(of: 2) ? one : two
            ids.append(stats.requestStarted(method: "GET", path: "/", exchange: HTTPExchange(id: 0, mapping: "m", time: 0, method: "GET", target: "/")))
        }
        #expect(Set(ids).count == 10)
        #expect(one.exchanges(limit: 10).count == 5)
        #expect(two.exchanges(limit: 10).allSatisfy { $0.id.isMultiple(of: 2) })
    }

    @Test("500 browser-sized exchanges (heads with the relay's forwarding fields, 1 KiB answers) fit the byte budget: the count bounds them")
    func browserSizedExchangesAreCountBound() throws {
        let stats = MappingStats()
        let channel = tap(stats)
        defer { _ = try? channel.finish() }
        let cookie = "session=" + String(repeating: "s", count: 96) + "; theme=dark; consent=1"
        let answerBody = String(repeating: "x", count: 1024)
        for index in 0..<520 {
            let request = "GET /small/\(index)?q=bench HTTP/1.1\r\nHost: m00.localhost:8080\r\n"
                + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
                + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
                + "Accept-Language: en-GB,en;q=0.7,fr;q=0.3\r\nAccept-Encoding: gzip, deflate, br\r\n"
                + "Referer: https://app.example.com/dashboard/projects/42/settings\r\nCookie: \(cookie)\r\n"
                + "Sec-Fetch-Mode: navigate\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
                + "X-Forwarded-Host: m00.localhost:8080\r\nForwarded: for=127.0.0.1;host=m00.localhost:8080;proto=http\r\n\r\n"
            try pass(channel, inbound: [request])
            try pass(channel, outbound: ["HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6 Python/3.11.2\r\nDate: Sat, 05 Dec 2026 19:00:00 GMT\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 1024\r\nCache-Control: no-store\r\n\r\n" + answerBody])
        }
        let kept = stats.exchanges(limit: 1000)
        #expect(kept.count == ExchangeLog.countLimit)
        #expect(kept.first?.target == "/small/519?q=bench")
        #expect(kept.first?.requestHeaders.count == 12)
        #expect(kept.first?.responseBody.count == 1024)
    }
}
