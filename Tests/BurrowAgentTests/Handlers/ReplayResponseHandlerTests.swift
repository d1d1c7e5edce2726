import BurrowCore
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowAgent

/// The replay's answer reader on an EmbeddedChannel: complete answers in any
/// framing, and every way of not getting one ends the wait with a reason.
@Suite("ReplayResponseHandler (EmbeddedChannel)")
struct ReplayResponseHandlerTests {
    private func reader(method: String = "GET", maxBytes: UInt64 = 1 << 30)
        throws -> (EmbeddedChannel, EventLoopFuture<ReplayResponseHandler.Response>) {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: ReplayResponseHandler.Response.self)
        try channel.pipeline.syncOperations.addHandler(ReplayResponseHandler(
            method: method, timeout: .seconds(30), maxBytes: maxBytes, promise: promise))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, promise.futureResult)
    }

    private func result(_ future: EventLoopFuture<ReplayResponseHandler.Response>) -> Result<ReplayResponseHandler.Response, any Error>? {
        // The embedded loop runs callbacks at once: completed or not, it is known here.
        let seen = NIOLockedValueBox<Result<ReplayResponseHandler.Response, any Error>?>(nil)
        future.whenComplete { result in seen.withLockedValue { $0 = result } }
        return seen.withLockedValue { $0 }
    }

    @Test("a chunked answer after a 100 Continue, split anywhere: de-chunked, complete, the channel closed")
    func chunked() throws {
        let (channel, future) = try reader(method: "POST")
        let wire = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n"
        for byte in wire.utf8 { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        let answer = try #require(try result(future)?.get())
        #expect(answer.status == 200)
        #expect(answer.reason == "OK")
        #expect(answer.headers.map(\.name) == ["Transfer-Encoding", "X-A"])
        #expect(answer.body == Array("wikipedia".utf8))
        #expect(answer.bodyBytes == 9)
        #expect(answer.totalMs != nil)
        #expect(!channel.isActive)
    }

    @Test("an answer to HEAD has no body; one without length ends with the connection")
    func headAndUntilClose() throws {
        let (head, headFuture) = try reader(method: "HEAD")
        try head.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"))
        #expect(try result(headFuture)?.get().bodyBytes == 0)

        let (stream, streamFuture) = try reader()
        try stream.writeInbound(ByteBuffer(string: "HTTP/1.0 200 OK\r\n\r\nuntil "))
        try stream.writeInbound(ByteBuffer(string: "the end"))
        #expect(result(streamFuture) == nil)
        stream.pipeline.fireChannelInactive()
        #expect(try result(streamFuture)?.get().body == Array("until the end".utf8))
    }

    @Test("closed early, unreadable, or silent past the timeout: each fails with its reason")
    func failures() throws {
        let (early, earlyFuture) = try reader()
        try early.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
        early.pipeline.fireChannelInactive()
        #expect(throws: ReplayResponseHandler.Failure.self) { try result(earlyFuture)?.get() }

        let (garbage, garbageFuture) = try reader()
        try garbage.writeInbound(ByteBuffer(string: "SSH-2.0-OpenSSH\r\nnot http\r\n\r\n"))
        #expect(throws: ReplayResponseHandler.Failure.self) { try result(garbageFuture)?.get() }

        let (silent, silentFuture) = try reader()
        silent.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(result(silentFuture) == nil)
        silent.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(throws: ReplayResponseHandler.Failure.self) { try result(silentFuture)?.get() }
        #expect(!silent.isActive)
    }

    @Test("past maxBytes the answer is kept as far as read, marked incomplete")
    func bounded() throws {
        let (channel, future) = try reader(maxBytes: 1000)
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"))
        try channel.writeInbound(ByteBuffer(repeating: 0x61, count: 2000))
        let answer = try #require(try result(future)?.get())
        #expect(answer.totalMs == nil)
        #expect(answer.body.count == 2000)
        #expect(!channel.isActive)
    }
}
