import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import BurrowRelay

/// The metrics port's handler behind NIOHTTP1's server pipeline, on an
/// EmbeddedChannel: raw requests in, raw responses out.
@Suite("MetricsHandler (EmbeddedChannel)")
struct MetricsHandlerTests {
    private func channel(_ relay: RelayContext) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
        try channel.pipeline.syncOperations.addHandler(MetricsHandler(relay: relay))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9090)).wait()
        return channel
    }

    /// Sends `request`; returns the response's head lines and body.
    private func exchange(_ channel: EmbeddedChannel, _ request: String) throws -> (head: [String], body: String) {
        try channel.writeInbound(ByteBuffer(string: request))
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        guard let split = text.range(of: "\r\n\r\n") else { return (text.components(separatedBy: "\r\n"), "") }
        return (text[..<split.lowerBound].components(separatedBy: "\r\n"), String(text[split.upperBound...]))
    }

    private func header(_ head: [String], _ name: String) -> String? {
        head.first { $0.lowercased().hasPrefix(name.lowercased() + ":") }.map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
    }

    @Test("GET /metrics: the Prometheus text with its content type and length; the connection stays open")
    func metrics() throws {
        let context = try TestRelayContext()
        let channel = try channel(context.relay)
        let (head, body) = try exchange(channel, "GET /metrics HTTP/1.1\r\nHost: relay\r\n\r\n")
        #expect(head.first == "HTTP/1.1 200 OK")
        #expect(header(head, "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(header(head, "Content-Length") == String(body.utf8.count))
        #expect(body.contains("burrow_agents_online"))
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test("GET /healthz (query ignored): ok while accepting, 503 once shutdown began")
    func healthz() throws {
        let context = try TestRelayContext()
        let channel = try channel(context.relay)
        let up = try exchange(channel, "GET /healthz?probe=1 HTTP/1.1\r\nHost: relay\r\n\r\n")
        #expect(up.head.first == "HTTP/1.1 200 OK")
        #expect(up.body == "ok\n")
        context.relay.accepting.store(false, ordering: .relaxed)
        let down = try exchange(channel, "GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n")
        #expect(down.head.first == "HTTP/1.1 503 Service Unavailable")
        #expect(down.body == "shutting down\n")
        _ = try channel.finish()
    }

    @Test("HEAD: the length of the body it would have, and no body")
    func head() throws {
        let context = try TestRelayContext()
        let channel = try channel(context.relay)
        let (head, body) = try exchange(channel, "HEAD /healthz HTTP/1.1\r\nHost: relay\r\n\r\n")
        #expect(head.first == "HTTP/1.1 200 OK")
        #expect(header(head, "Content-Length") == "3")
        #expect(body.isEmpty)
        _ = try channel.finish()
    }

    @Test("any other path or method: 404", arguments: ["GET /", "GET /metricsx", "POST /metrics", "DELETE /healthz"])
    func notFound(requestLine: String) throws {
        let context = try TestRelayContext()
        let channel = try channel(context.relay)
        let (head, body) = try exchange(channel, requestLine + " HTTP/1.1\r\nHost: relay\r\nContent-Length: 0\r\n\r\n")
        #expect(head.first == "HTTP/1.1 404 Not Found")
        #expect(body == "not found: try /metrics or /healthz\n")
        _ = try channel.finish()
    }

    @Test("an HTTP/1.0 client that asks to keep alive is told the connection stays open (RFC 9112 §9.3)")
    func http10KeepAlive() throws {
        let context = try TestRelayContext()
        let channel = try channel(context.relay)
        let (head, _) = try exchange(channel, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(head.first == "HTTP/1.0 200 OK")
        #expect(channel.isActive)
        #expect(header(head, "Connection")?.lowercased() == "keep-alive")
        _ = try channel.finish()
    }

    @Test("a client that does not keep alive gets Connection: close and the connection closes after the response")
    func closeWhenAsked() throws {
        let context = try TestRelayContext()
        let channel = try channel(context.relay)
        let (head, body) = try exchange(channel, "GET /healthz HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n")
        #expect(header(head, "Connection") == "close")
        #expect(body == "ok\n")
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
