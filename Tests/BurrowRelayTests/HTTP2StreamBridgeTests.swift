import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import BurrowRelay

/// The HTTP/2 stream ↔ HTTP/1.1 bytes translation without sockets: the
/// response reader as a value (bytes split anywhere), the request
/// translator, and the bridge in an `EmbeddedChannel` (frames in, bytes out,
/// and back).
@Suite("HTTP/2 stream bridge")
struct HTTP2StreamBridgeTests {
    // MARK: the response reader

    /// Feeds `text` in pieces of `step` bytes; returns heads, the body as text, and whether it ended.
    static func read(_ text: String, step: Int, head: Bool = false) throws -> (heads: [Int], body: String, ended: Bool, reader: HTTP1ResponseReader) {
        var reader = HTTP1ResponseReader()
        reader.requestIsHEAD = head
        let bytes = Array(text.utf8)
        var heads: [Int] = [], body = "", ended = false
        var index = 0
        while index < bytes.count {
            let end = min(index + step, bytes.count)
            for event in try reader.read(ByteBuffer(bytes: bytes[index..<end])) {
                switch event {
                case .head(let status, _): heads.append(status)
                case .body(let piece): body += String(buffer: piece)
                case .end: ended = true
                }
            }
            index = end
        }
        return (heads, body, ended, reader)
    }

    @Test("Content-Length, chunked with extensions and trailers, 1xx, HEAD, 204, until-close, split at every size", arguments: [1, 2, 5, 64, 4096])
    func responseFraming(step: Int) throws {
        var result = try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA", step: step)
        #expect(result.heads == [200] && result.body == "hello" && result.ended)
        result = try Self.read(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n",
            step: step)
        #expect(result.heads == [100, 200] && result.body == "hello0123456789" && result.ended)
        result = try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", step: step, head: true)
        #expect(result.heads == [200] && result.body.isEmpty && result.ended)
        result = try Self.read("HTTP/1.1 204 No Content\r\n\r\n", step: step)
        #expect(result.heads == [204] && result.ended)
        result = try Self.read("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nuntil the close", step: step)
        #expect(result.heads == [200] && result.body == "until the close" && !result.ended && result.reader.endsAtClose)
        var reader = result.reader
        #expect(reader.closed() == .end)
    }

    @Test("what is not an HTTP/1.1 response is refused", arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded: header\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
    ])
    func malformedResponses(text: String) {
        #expect(throws: HTTP1ResponseReader.Malformed.self) { _ = try Self.read(text, step: 3) }
    }

    @Test("a response head larger than the bound is refused")
    func oversizedHead() {
        let text = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n"
        #expect(throws: HTTP1ResponseReader.Malformed.self) { _ = try Self.read(text, step: 4096) }
    }

    // MARK: the request translator

    static func block(_ fields: [(String, String)]) -> HPACKHeaders {
        HPACKHeaders(fields)
    }

    @Test("a request block becomes an HTTP/1.1 head: :authority is the Host, cookies joined, connection fields left out")
    func requestTranslation() throws {
        let request = try HTTP2RequestTranslator.request(Self.block([
            (":method", "POST"), (":scheme", "https"), (":authority", "web.localhost:8443"), (":path", "/a?b=c"),
            ("host", "ignored.example"), ("cookie", "a=1"), ("content-length", "3"), ("cookie", "b=2"), ("te", "trailers"),
            ("x-thing", "value"),
        ]))
        #expect(request.lines == "POST /a?b=c HTTP/1.1\r\nhost: web.localhost:8443\r\ncookie: a=1; b=2\r\ncontent-length: 3\r\nx-thing: value\r\n")
        #expect(request.hasContentLength && !request.isHEAD)
    }

    @Test("what would smuggle a second request line or header into HTTP/1.1 is refused", arguments: [
        [(":method", "GET"), (":scheme", "https"), (":authority", "web.localhost"), (":path", "/ HTTP/1.1\r\nX: y")],
        [(":method", "GET"), (":scheme", "https"), (":authority", "web.localhost"), (":path", "/"), ("x-a", "1\r\nHost: evil")],
        [(":method", "GET / HTTP/1.1"), (":scheme", "https"), (":authority", "web.localhost"), (":path", "/")],
        [(":method", "GET"), (":scheme", "https"), (":authority", "web.localhost\r\nX: y"), (":path", "/")],
        [(":method", "GET"), (":scheme", "https"), (":authority", "user@web.localhost"), (":path", "/")],
        [(":method", "CONNECT"), (":authority", "web.localhost:443")],
        [(":method", "GET"), (":scheme", "https"), (":authority", "web.localhost"), (":path", "/"), (":protocol", "websocket")],
    ])
    func smugglingRefused(fields: [(String, String)]) {
        #expect(throws: HTTP2RequestTranslator.Refusal.self) { _ = try HTTP2RequestTranslator.request(Self.block(fields)) }
    }

    // MARK: the bridge in a channel

    static func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTP2StreamBridge(maximumHead: 16 * 1024))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        return channel
    }

    static func headers(_ fields: [(String, String)], end: Bool) -> HTTP2Frame.FramePayload {
        .headers(.init(headers: HPACKHeaders(fields), endStream: end))
    }

    static func data(_ text: String, end: Bool) -> HTTP2Frame.FramePayload {
        .data(.init(data: .byteBuffer(ByteBuffer(string: text)), endStream: end))
    }

    /// Everything the bridge passed on towards the HTTP pipeline, as text.
    static func bytesOut(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    static func framesOut(_ channel: EmbeddedChannel) throws -> [HTTP2Frame.FramePayload] {
        var frames: [HTTP2Frame.FramePayload] = []
        while let frame = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) { frames.append(frame) }
        return frames
    }

    static let get: [(String, String)] = [(":method", "GET"), (":scheme", "https"), (":authority", "web.localhost"), (":path", "/x")]
    static let post: [(String, String)] = [(":method", "POST"), (":scheme", "https"), (":authority", "web.localhost"), (":path", "/up")]

    @Test("a GET with END_STREAM becomes one head; the response loses its connection fields and ends the stream")
    func getRoundTrip() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.headers(Self.get, end: true))
        #expect(try Self.bytesOut(channel) == "GET /x HTTP/1.1\r\nhost: web.localhost\r\n\r\n")
        try channel.writeOutbound(ByteBuffer(string:
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\nX-Hop: 1\r\nTransfer-Encoding: chunked\r\nX-End: 2\r\n\r\n"))
        try channel.writeOutbound(ByteBuffer(string: "3\r\nabc\r\n0\r\n\r\n"))
        let frames = try Self.framesOut(channel)
        guard frames.count == 2, case .headers(let head) = frames[0], case .data(let body) = frames[1] else {
            Issue.record("\(frames)")
            return
        }
        #expect(Array(head.headers.map { "\($0.name): \($0.value)" }) == [":status: 200", "x-end: 2"])
        #expect(!head.endStream)
        guard case .byteBuffer(let bytes) = body.data else { return }
        #expect(String(buffer: bytes) == "abc" && body.endStream)
        // Bytes after the end of the response go nowhere.
        try channel.writeOutbound(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n\r\n"))
        #expect(try Self.framesOut(channel).isEmpty)
    }

    @Test("a body without Content-Length goes as chunks; with one, as it is; an empty DATA with END_STREAM means no body")
    func requestBodies() throws {
        var channel = try Self.channel()
        try channel.writeInbound(Self.headers(Self.post, end: false))
        channel.pipeline.fireChannelReadComplete()
        try channel.writeInbound(Self.data("hello", end: false))
        try channel.writeInbound(Self.data("", end: true))
        #expect(try Self.bytesOut(channel)
            == "POST /up HTTP/1.1\r\nhost: web.localhost\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")

        channel = try Self.channel()
        try channel.writeInbound(Self.headers(Self.post + [("content-length", "5")], end: false))
        try channel.writeInbound(Self.data("hel", end: false))
        try channel.writeInbound(Self.data("lo", end: true))
        #expect(try Self.bytesOut(channel) == "POST /up HTTP/1.1\r\nhost: web.localhost\r\ncontent-length: 5\r\n\r\nhello")

        // HEADERS, then an empty DATA with END_STREAM in the same read burst: no body at all.
        channel = try Self.channel()
        channel.pipeline.fireChannelRead(Self.headers(Self.get, end: false))
        channel.pipeline.fireChannelRead(Self.data("", end: true))
        channel.pipeline.fireChannelReadComplete()
        #expect(try Self.bytesOut(channel) == "GET /x HTTP/1.1\r\nhost: web.localhost\r\n\r\n")
    }

    @Test("a request HTTP/1.1 cannot carry is answered on the stream, never passed on")
    func refusedRequest() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.headers([(":method", "CONNECT"), (":authority", "web.localhost:443")], end: false))
        #expect(try Self.bytesOut(channel).isEmpty)
        let frames = try Self.framesOut(channel)
        guard case .headers(let head)? = frames.first else {
            Issue.record("\(frames)")
            return
        }
        #expect(head.headers.first(name: ":status") == "501")
    }

    @Test("a response that ends at the close ends the stream when the service closes its side")
    func untilCloseEndsAtHalfClose() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.headers(Self.get, end: true))
        _ = try Self.bytesOut(channel)
        try channel.writeOutbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it"))
        channel.close(mode: .output, promise: nil)
        let frames = try Self.framesOut(channel)
        guard frames.count == 3, case .data(let end) = frames[2] else {
            Issue.record("\(frames)")
            return
        }
        #expect(end.endStream)
        // A half-close is not passed on: NIOHTTP2 would reset the stream.
        #expect(channel.isActive)
    }
}
