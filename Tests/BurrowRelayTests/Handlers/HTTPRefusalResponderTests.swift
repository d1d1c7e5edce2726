import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowRelay

/// The whole pipeline of a refused HTTP visitor, on an EmbeddedChannel.
@Suite("HTTPRefusalResponder (EmbeddedChannel)")
struct HTTPRefusalResponderTests {
    private let page = "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    private let visitor = try! SocketAddress(ipAddress: "203.0.113.7", port: 5000)

    private func sent(_ channel: EmbeddedChannel) throws -> [String] {
        var pieces: [String] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { pieces.append(String(buffer: buffer)) }
        return pieces
    }

    @Test("added to a connected visitor: the page goes out once, flushed, then the connection closes")
    func addedWhenActive() throws {
        let channel = EmbeddedChannel()
        try channel.connect(to: visitor).wait()
        try channel.pipeline.syncOperations.addHandler(HTTPRefusalResponder(response: page))
        #expect(try sent(channel) == [page])
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("added before the connection is active: nothing until it is, then the page once")
    func addedBeforeActive() throws {
        let channel = EmbeddedChannel(handler: HTTPRefusalResponder(response: page))
        #expect(try sent(channel).isEmpty)
        try channel.connect(to: visitor).wait()
        #expect(try sent(channel) == [page])
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// Holds the page's write unfinished, so the close that follows it waits.
    final class HeldWrites: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var writes: [String] = []
        var promises: [EventLoopPromise<Void>] = []
        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            writes.append(String(buffer: Self.unwrapOutboundIn(data)))
            if let promise { promises.append(promise) }
        }
        func flush(context: ChannelHandlerContext) {}
    }

    @Test("until the page is out: the visitor's bytes are neither parsed nor handed on, and another activation sends nothing")
    func whileThePageGoesOut() throws {
        let held = HeldWrites()
        let channel = EmbeddedChannel(handler: held)
        try channel.connect(to: visitor).wait()
        try channel.pipeline.syncOperations.addHandler(HTTPRefusalResponder(response: page))
        channel.pipeline.fireChannelRead(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        channel.pipeline.fireChannelActive()
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        #expect(held.writes == [page])
        #expect(channel.isActive, "closed before the page was written")
        for promise in held.promises { promise.succeed() }
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
