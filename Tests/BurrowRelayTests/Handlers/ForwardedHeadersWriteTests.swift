import BurrowCore
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import BurrowRelay

/// The rewriter writes each head straight into the tunnel's buffer (no
/// rewritten copy): byte for byte what the visitor sent, in its order, less
/// what must go, plus the relay's forwarding headers, for every request.
@Suite("ForwardedHeadersRewriter writes heads in place (EmbeddedChannel)")
struct ForwardedHeadersWriteTests {
    private func text(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    private func send(_ channel: EmbeddedChannel, _ head: HTTPRequestHead) {
        channel.pipeline.fireChannelRead(HTTPServerRequestPart.head(head))
        channel.pipeline.fireChannelRead(HTTPServerRequestPart.end(nil))
        channel.pipeline.fireChannelReadComplete()
    }

    @Test("order, case and values kept; forged, auth and Connection-named headers handled; every request alike")
    func exactBytes() throws {
        let rule = BasicAuthRule(user: "alice", salt: "s", sha256: String(repeating: "0", count: 64))
        let channel = EmbeddedChannel(handler: ForwardedHeadersRewriter(
            visitor: try SocketAddress(ipAddress: "198.51.100.4", port: 1), policy: AccessPolicy(basicAuth: rule)))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/x?y=%20", headers: HTTPHeaders([
            ("host", "Shop.Example.com:8080"), ("X-Real-IP", "6.6.6.6"), ("Connection", "keep-alive, x-forwarded-HOST"),
            ("AUTHORIZATION", "Basic YWxpY2U6cHc="), ("x-Forwarded-Proto", "https"), ("Cookie", "a=1; b=2"),
            ("FORWARDED", "for=6.6.6.6"), ("Content-Length", "0"), ("Host", "second.example"),
        ]))
        let expected = "POST /x?y=%20 HTTP/1.1\r\nhost: Shop.Example.com:8080\r\nX-Real-IP: 6.6.6.6\r\nCookie: a=1; b=2\r\n"
            + "Content-Length: 0\r\nHost: second.example\r\nConnection: keep-alive\r\n"
            + "X-Forwarded-For: 198.51.100.4\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: Shop.Example.com:8080\r\n"
            + "Forwarded: for=198.51.100.4;proto=http;host=\"Shop.Example.com:8080\"\r\n\r\n"
        send(channel, head)
        #expect(try text(channel) == expected)
        send(channel, head)
        #expect(try text(channel) == expected)
        _ = try channel.finish()
    }

    @Test("HTTP/1.0, another method, a Connection naming only forwarding headers, a Host with a backslash")
    func otherForms() throws {
        let channel = EmbeddedChannel(handler: ForwardedHeadersRewriter(
            visitor: try SocketAddress(ipAddress: "2001:db8::5", port: 1), policy: AccessPolicy(), scheme: "https"))
        send(channel, HTTPRequestHead(version: .http1_0, method: .OPTIONS, uri: "*", headers: HTTPHeaders([
            ("Host", "a\\b"), ("Connection", "Forwarded"), ("Authorization", "Bearer t"),
        ])))
        #expect(try text(channel) == "OPTIONS * HTTP/1.0\r\nHost: a\\b\r\nAuthorization: Bearer t\r\n"
            + "X-Forwarded-For: 2001:db8::5\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: a\\b\r\n"
            + "Forwarded: for=\"[2001:db8::5]\";proto=https\r\n\r\n")
        send(channel, HTTPRequestHead(version: .init(major: 1, minor: 1), method: .RAW(value: "PURGE"), uri: "/", headers: [:]))
        #expect(try text(channel) == "PURGE / HTTP/1.1\r\nX-Forwarded-For: 2001:db8::5\r\nX-Forwarded-Proto: https\r\n"
            + "Forwarded: for=\"[2001:db8::5]\";proto=https\r\n\r\n")
        _ = try channel.finish()
    }

    @Test("Transfer-Encoding: chunked in any case frames the body again")
    func chunkedInAnyCase() throws {
        let channel = EmbeddedChannel(handler: ForwardedHeadersRewriter(visitor: nil, policy: AccessPolicy()))
        channel.pipeline.fireChannelRead(HTTPServerRequestPart.head(HTTPRequestHead(
            version: .http1_1, method: .POST, uri: "/", headers: HTTPHeaders([("transfer-ENCODING", "Chunked")]))))
        channel.pipeline.fireChannelRead(HTTPServerRequestPart.body(ByteBuffer(string: "abc")))
        channel.pipeline.fireChannelRead(HTTPServerRequestPart.end(nil))
        channel.pipeline.fireChannelReadComplete()
        #expect(try text(channel).hasSuffix("\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
        _ = try channel.finish()
    }
}
