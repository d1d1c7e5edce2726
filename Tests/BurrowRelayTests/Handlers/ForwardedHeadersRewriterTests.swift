import BurrowCore
import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import BurrowRelay

/// The rewriter on an EmbeddedChannel: request parts in, the bytes for the
/// tunnel out. The visitor's own forwarding headers never survive.
@Suite("ForwardedHeadersRewriter (EmbeddedChannel)")
struct ForwardedHeadersRewriterTests {
    private func channel(
        _ visitor: SocketAddress?, policy: AccessPolicy = AccessPolicy(), scheme: String = "http"
    ) -> EmbeddedChannel {
        EmbeddedChannel(handler: ForwardedHeadersRewriter(visitor: visitor, policy: policy, scheme: scheme))
    }

    private func head(_ headers: [(String, String)], method: HTTPMethod = .GET, uri: String = "/") -> HTTPServerRequestPart {
        .head(HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders(headers)))
    }

    /// Every buffer handed on, as text.
    private func out(_ channel: EmbeddedChannel) throws -> [String] {
        var pieces: [String] = []
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { pieces.append(String(buffer: buffer)) }
        return pieces
    }

    /// One read burst: the parts, then one read-complete.
    private func burst(_ channel: EmbeddedChannel, _ parts: [HTTPServerRequestPart]) {
        for part in parts { channel.pipeline.fireChannelRead(part) }
        channel.pipeline.fireChannelReadComplete()
    }

    @Test("forged X-Forwarded-*, Forwarded of any case are dropped; the real ones name the visitor")
    func spoofedHeadersReplaced() throws {
        let channel = channel(try SocketAddress(ipAddress: "203.0.113.7", port: 5000))
        burst(channel, [head([
            ("Host", "shop.example.com"), ("X-Forwarded-For", "6.6.6.6"), ("x-forwarded-proto", "https"),
            ("X-FORWARDED-HOST", "evil.example"), ("Accept", "*/*"), ("forwarded", "for=6.6.6.6"), ("X-Forwarded-For", "7.7.7.7"),
        ], uri: "/a?b=1"), .end(nil)])
        #expect(try out(channel) == [
            "GET /a?b=1 HTTP/1.1\r\nHost: shop.example.com\r\nAccept: */*\r\nX-Forwarded-For: 203.0.113.7\r\n"
                + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: shop.example.com\r\n"
                + "Forwarded: for=203.0.113.7;proto=http;host=\"shop.example.com\"\r\n\r\n",
        ])
        _ = try channel.finish()
    }

    @Test("an IPv6 visitor is quoted and bracketed in Forwarded; an IPv4-mapped one is plain IPv4")
    func addressForms() throws {
        let v6 = channel(try SocketAddress(ipAddress: "2001:db8::1", port: 5000), scheme: "https")
        burst(v6, [head([("Host", "a.example")]), .end(nil)])
        let text = try out(v6).joined()
        #expect(text.contains("\r\nX-Forwarded-For: 2001:db8::1\r\n"))
        #expect(text.contains("\r\nX-Forwarded-Proto: https\r\n"))
        #expect(text.contains("\r\nForwarded: for=\"[2001:db8::1]\";proto=https;host=\"a.example\"\r\n"))
        let mapped = channel(try SocketAddress(ipAddress: "::ffff:203.0.113.7", port: 5000))
        burst(mapped, [head([("Host", "a.example")]), .end(nil)])
        let mappedText = try out(mapped).joined()
        #expect(mappedText.contains("\r\nX-Forwarded-For: 203.0.113.7\r\n"))
        #expect(mappedText.contains("\r\nForwarded: for=203.0.113.7;proto=http;"))
        _ = try v6.finish()
        _ = try mapped.finish()
    }

    @Test("no address, no Host, a Host with a quote: nothing is made up or broken")
    func oddInputs() throws {
        let unknown = channel(nil)
        burst(unknown, [head([]), .end(nil)])
        #expect(try out(unknown) == ["GET / HTTP/1.1\r\nX-Forwarded-For: unknown\r\nX-Forwarded-Proto: http\r\nForwarded: for=unknown;proto=http\r\n\r\n"])
        let quoted = channel(try SocketAddress(ipAddress: "203.0.113.7", port: 1))
        burst(quoted, [head([("Host", "a\";for=6.6.6.6")]), .end(nil)])
        let text = try out(quoted).joined()
        #expect(text.contains("\r\nForwarded: for=203.0.113.7;proto=http\r\n"))
        _ = try unknown.finish()
        _ = try quoted.finish()
    }

    @Test("the visitor's Connection header cannot name the relay's forwarding headers away (RFC 9110 §7.6.1)")
    func connectionOptions() throws {
        let channel = channel(try SocketAddress(ipAddress: "203.0.113.7", port: 1))
        burst(channel, [head([("Host", "a"), ("Connection", "keep-alive, X-Forwarded-For, Forwarded")]), .end(nil)])
        let lines = try out(channel).joined().lowercased().components(separatedBy: "\r\n")
        let options = lines.filter { $0.hasPrefix("connection:") }.joined()
        #expect(lines.contains("x-forwarded-for: 203.0.113.7"))
        #expect(!options.contains("x-forwarded-for") && !options.contains("forwarded"), "\(options)")
        #expect(options.contains("keep-alive"), "\(options)")
        _ = try channel.finish()
    }

    @Test("Authorization is dropped only when the relay checked it (basic auth)", arguments: [true, false])
    func authorization(basicAuth: Bool) throws {
        let rule = BasicAuthRule(user: "alice", salt: "s", sha256: String(repeating: "0", count: 64))
        let channel = channel(nil, policy: AccessPolicy(basicAuth: basicAuth ? rule : nil))
        burst(channel, [head([("Host", "a"), ("Authorization", "Basic YWxpY2U6cHc=")]), .end(nil)])
        #expect(try out(channel).joined().contains("Authorization: Basic YWxpY2U6cHc=") == !basicAuth)
        _ = try channel.finish()
    }

    @Test("a chunked body is framed again; a burst's small pieces go on as one buffer")
    func chunkedBurst() throws {
        let channel = channel(nil)
        burst(channel, [
            head([("Transfer-Encoding", "chunked")], method: .POST),
            .body(ByteBuffer(string: "hello")), .body(ByteBuffer()), .body(ByteBuffer(string: "world!")),
            .end(["X-Sum": "1"]),
        ])
        let pieces = try out(channel)
        #expect(pieces.count == 1)
        #expect(pieces.first?.hasSuffix("\r\n\r\n5\r\nhello\r\n6\r\nworld!\r\n0\r\nX-Sum: 1\r\n\r\n") == true)
        _ = try channel.finish()
    }

    @Test("a large body piece goes on as itself, in order, framed when chunked", arguments: [true, false])
    func largePiece(chunked: Bool) throws {
        let channel = channel(nil)
        let large = ByteBuffer(repeating: 0x62, count: ForwardedHeadersRewriter.copyLimit + 1)
        let headers = chunked ? [("Transfer-Encoding", "chunked")] : [("Content-Length", "4098")]
        burst(channel, [head(headers, method: .PUT), .body(large), .body(ByteBuffer(string: "c")), .end(nil)])
        let pieces = try out(channel)
        #expect(pieces.count == 3)
        #expect(pieces[1] == String(buffer: large))
        let body = String(repeating: "b", count: 4097)
        let expected = chunked ? "1001\r\n" + body + "\r\n1\r\nc\r\n0\r\n\r\n" : body + "c"
        #expect(pieces.joined().hasSuffix("\r\n\r\n" + expected))
        _ = try channel.finish()
    }

    @Test("every request of a kept-alive connection is rewritten; chunking does not leak to the next")
    func keepAlive() throws {
        let channel = channel(try SocketAddress(ipAddress: "203.0.113.7", port: 1))
        burst(channel, [head([("Transfer-Encoding", "chunked"), ("X-Forwarded-For", "6.6.6.6")], method: .POST),
                        .body(ByteBuffer(string: "a")), .end(nil)])
        burst(channel, [head([("Content-Length", "1"), ("X-Forwarded-For", "6.6.6.6")], method: .POST),
                        .body(ByteBuffer(string: "b")), .end(nil)])
        let pieces = try out(channel)
        #expect(pieces.count == 2)
        #expect(pieces.allSatisfy { !$0.contains("6.6.6.6") && $0.contains("X-Forwarded-For: 203.0.113.7") })
        #expect(pieces.last?.hasSuffix("\r\n\r\nb") == true)
        _ = try channel.finish()
    }

    @Test("removed mid-burst (an accepted upgrade), it hands on what it had gathered")
    func removedMidBurst() throws {
        let rewriter = ForwardedHeadersRewriter(visitor: nil, policy: AccessPolicy())
        let channel = EmbeddedChannel(handler: rewriter)
        channel.pipeline.fireChannelRead(head([("Upgrade", "websocket"), ("Connection", "upgrade")]))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        try channel.pipeline.syncOperations.removeHandler(rewriter).wait()
        #expect(try out(channel).joined().hasPrefix("GET / HTTP/1.1\r\nUpgrade: websocket\r\n"))
        _ = try channel.finish()
    }
}
