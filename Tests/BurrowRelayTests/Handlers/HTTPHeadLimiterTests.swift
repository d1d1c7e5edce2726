import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import BurrowRelay

/// The limiter in front of NIOHTTP1's real decoder, on an EmbeddedChannel;
/// a stand-in for the router tells it where the stream is, as `HTTPRouter`
/// does (a head → `headReceived`, body → `bodyProgress`, the end →
/// `expectHead`). The deadline runs on the loop's clock (`advanceTime`).
@Suite("HTTPHeadLimiter and HTTPHeadTimeout (EmbeddedChannel)")
struct HTTPHeadLimiterTests {
    /// Calls the limiter as the router does and keeps the errors it raises.
    final class Router: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        let limiter: HTTPHeadLimiter
        var parts: [HTTPServerRequestPart] = []
        var errors: [any Error] = []
        init(_ limiter: HTTPHeadLimiter) { self.limiter = limiter }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let part = Self.unwrapInboundIn(data)
            parts.append(part)
            switch part {
            case .head: limiter.headReceived()
            case .body: limiter.bodyProgress()
            case .end: limiter.expectHead()
            }
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { errors.append(error) }
    }

    private func pipeline(maximum: Int = 1024, timeout: Double = 10) throws -> (EmbeddedChannel, HTTPHeadLimiter, Router) {
        let limiter = HTTPHeadLimiter(maximum: maximum, timeoutSeconds: timeout)
        let router = Router(limiter)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            [limiter, ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)), router])
        return (channel, limiter, router)
    }

    private func timeouts(_ router: Router) -> Int { router.errors.filter { $0 is HTTPHeadTimeout }.count }

    @Test("a silent visitor meets the deadline counted from the accept, not before, once")
    func silentVisitor() throws {
        let (channel, _, router) = try pipeline()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(9_999))
        #expect(router.errors.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(timeouts(router) == 1)
        #expect((router.errors.first as? HTTPHeadTimeout)?.seconds == 10)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(router.errors.count == 1)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a whole head stops the deadline; the next head's starts at its first byte")
    func laterHeadDeadline() throws {
        let (channel, _, router) = try pipeline()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(100))
        #expect(router.errors.isEmpty, "the deadline of a head that came whole went off")
        try channel.writeInbound(ByteBuffer(string: "GET /next HTTP/1.1\r\nHo"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(9_999))
        #expect(router.errors.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(timeouts(router) == 1)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a later head that begins in the same read as the end of the request before it has a deadline too")
    func pipelinedHeadDeadline() throws {
        let (channel, _, router) = try pipeline()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHo"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))
        withKnownIssue("expectHead() is called inside the read that carried the next head's first bytes; no deadline starts until another read") {
            #expect(timeouts(router) == 1)
        }
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a head over the maximum raises HTTPHeadTooLarge once; later bytes are dropped")
    func headTooLarge() throws {
        let (channel, _, router) = try pipeline(maximum: 64)
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nX-Pad: " + String(repeating: "p", count: 64)))
        #expect(router.errors.count == 1)
        #expect((router.errors.first as? HTTPHeadTooLarge)?.maximum == 64)
        try channel.writeInbound(ByteBuffer(string: "\r\nHost: a\r\n\r\n"))
        #expect(router.errors.count == 1)
        #expect(router.parts.isEmpty, "bytes after the limit reached the decoder")
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(router.errors.count == 1, "the deadline fired after the too-large error")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("in a body: framing that yields no body byte is bounded (HTTPFramingTooLarge); body bytes reset the count")
    func framingTooLarge() throws {
        let (channel, _, router) = try pipeline(maximum: 64)
        try channel.writeInbound(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"))
        for _ in 0..<20 { try channel.writeInbound(ByteBuffer(string: "10\r\n0123456789abcdef\r\n")) }
        #expect(router.errors.isEmpty, "chunks with data counted as framing")
        try channel.writeInbound(ByteBuffer(string: "1;" + String(repeating: "x", count: 40)))
        #expect(router.errors.isEmpty)
        try channel.writeInbound(ByteBuffer(string: String(repeating: "x", count: 40)))
        #expect(router.errors.count == 1)
        #expect((router.errors.first as? HTTPFramingTooLarge)?.maximum == 64)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// Behind the limiter alone: keeps what passes and the errors.
    final class Sink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var bytes = 0
        var errors: [any Error] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { bytes += Self.unwrapInboundIn(data).readableBytes }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { errors.append(error) }
    }

    @Test("paused: bytes pass unlimited with no deadline; expectHead brings both limits back")
    func pause() throws {
        let limiter = HTTPHeadLimiter(maximum: 64, timeoutSeconds: 10)
        let sink = Sink()
        let channel = EmbeddedChannel(handlers: [limiter, sink])
        limiter.pause()
        try channel.writeInbound(ByteBuffer(repeating: 0x78, count: 1000))
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(sink.bytes == 1000)
        #expect(sink.errors.isEmpty)
        limiter.expectHead()
        try channel.writeInbound(ByteBuffer(string: "GET"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(sink.errors.count == 1 && sink.errors.first is HTTPHeadTimeout)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("after expectHead a head over the maximum is refused like the first")
    func laterHeadTooLarge() throws {
        let limiter = HTTPHeadLimiter(maximum: 64, timeoutSeconds: 10)
        let sink = Sink()
        let channel = EmbeddedChannel(handlers: [limiter, sink])
        limiter.headReceived()
        limiter.expectHead()
        try channel.writeInbound(ByteBuffer(repeating: 0x78, count: 64))
        #expect(sink.errors.isEmpty, "exactly the maximum is allowed")
        try channel.writeInbound(ByteBuffer(repeating: 0x78, count: 1))
        #expect(sink.errors.count == 1 && sink.errors.first is HTTPHeadTooLarge)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
