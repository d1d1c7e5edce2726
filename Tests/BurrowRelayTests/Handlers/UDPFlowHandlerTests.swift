import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowRelay

/// One UDP flow at the relay on EmbeddedChannels: `flow` is the flow's SSH
/// channel (after the codec), `socket` stands for the relay's UDP socket.
@Suite("UDPFlowHandler (EmbeddedChannel)")
struct UDPFlowHandlerTests {
    private let visitor = try! SocketAddress(ipAddress: "203.0.113.7", port: 5353)

    private func pair() -> (flow: EmbeddedChannel, socket: EmbeddedChannel, handler: UDPFlowHandler) {
        let loop = EmbeddedEventLoop()
        let socket = EmbeddedChannel(loop: loop)
        return (EmbeddedChannel(loop: loop), socket, UDPFlowHandler(visitor: visitor, socket: socket))
    }

    /// The datagrams written onto the flow's channel, unframed (2-byte length, then the bytes).
    private func frames(_ channel: EmbeddedChannel) throws -> [String] {
        var stream = ByteBuffer()
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) { stream.writeBuffer(&buffer) }
        var datagrams: [String] = []
        while let length = stream.readInteger(as: UInt16.self) {
            guard let bytes = stream.readString(length: Int(length)) else {
                Issue.record("a frame is cut short")
                break
            }
            datagrams.append(bytes)
        }
        #expect(stream.readableBytes == 0)
        return datagrams
    }

    @Test("datagrams from the visitor are framed onto the channel and counted")
    func visitorToAgent() throws {
        let (flow, socket, handler) = pair()
        try flow.pipeline.syncOperations.addHandler(handler)
        handler.send(ByteBuffer(string: "query"))
        handler.send(ByteBuffer())
        handler.send(ByteBuffer(string: "again"))
        #expect(try frames(flow) == ["query", "", "again"])
        _ = try flow.finish()
        _ = try socket.finish()
    }

    @Test("a small datagram in a large receive buffer travels in one buffer with its header")
    func smallDatagramCopied() throws {
        let (flow, socket, handler) = pair()
        try flow.pipeline.syncOperations.addHandler(handler)
        var receive = ByteBuffer(repeating: 0x61, count: 65_536)
        handler.send(receive.readSlice(length: 100)!)
        let first = try #require(try flow.readOutbound(as: ByteBuffer.self))
        #expect(first.readableBytes == 102)
        #expect(try flow.readOutbound(as: ByteBuffer.self) == nil)
        _ = try flow.finish()
        _ = try socket.finish()
    }

    @Test("while the channel is full, datagrams are dropped and not counted")
    func dropsWhenUnwritable() throws {
        let (flow, socket, handler) = pair()
        try flow.pipeline.syncOperations.addHandler(handler)
        flow.isWritable = false
        handler.send(ByteBuffer(string: "lost"))
        flow.isWritable = true
        handler.send(ByteBuffer(string: "kept"))
        #expect(try frames(flow) == ["kept"])
        _ = try flow.finish()
        _ = try socket.finish()
    }

    @Test("datagrams from the agent go to the visitor's address, flushed at the end of the burst")
    func agentToVisitor() throws {
        let (flow, socket, handler) = pair()
        try flow.pipeline.syncOperations.addHandler(handler)
        flow.pipeline.fireChannelRead(ByteBuffer(string: "answer"))
        flow.pipeline.fireChannelRead(ByteBuffer(string: "more"))
        #expect(try socket.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) == nil)
        flow.pipeline.fireChannelReadComplete()
        let first = try #require(try socket.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
        let second = try #require(try socket.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
        #expect(first.remoteAddress == visitor && second.remoteAddress == visitor)
        #expect(String(buffer: first.data) == "answer" && String(buffer: second.data) == "more")
        _ = try flow.finish()
        _ = try socket.finish()
    }

    @Test("datagrams before the channel opened wait for it, in order, at most 256 of them")
    func earlyByCount() throws {
        let (flow, socket, handler) = pair()
        for index in 0..<300 { handler.send(ByteBuffer(string: "\(index)")) }
        try flow.pipeline.syncOperations.addHandler(handler)
        #expect(try frames(flow) == (0..<UDPFlowHandler.maximumEarly).map { "\($0)" })
        _ = try flow.finish()
        _ = try socket.finish()
    }

    @Test("datagrams before the channel opened are bounded by bytes too")
    func earlyByBytes() throws {
        let (flow, socket, handler) = pair()
        let size = 60_000
        for byte in UInt8(0x61)..<0x66 { handler.send(ByteBuffer(repeating: byte, count: size)) }
        try flow.pipeline.syncOperations.addHandler(handler)
        let arrived = try frames(flow)
        #expect(arrived.count == UDPFlowHandler.maximumEarlyBytes / size)
        #expect(arrived.map(\.first) == ["a", "b", "c", "d"])
        _ = try flow.finish()
        _ = try socket.finish()
    }

    @Test("closed before its channel opened: the channel closes as it opens, nothing is sent")
    func closedEarly() throws {
        let (flow, socket, handler) = pair()
        try flow.connect(to: visitor).wait()
        handler.send(ByteBuffer(string: "early"))
        handler.close()
        try flow.pipeline.syncOperations.addHandler(handler)
        #expect(!flow.isActive)
        #expect(try flow.readOutbound(as: ByteBuffer.self) == nil)
        _ = try flow.finish(acceptAlreadyClosed: true)
        _ = try socket.finish()
    }

    @Test("close() on an open flow closes its channel")
    func closeOpen() throws {
        let (flow, socket, handler) = pair()
        try flow.connect(to: visitor).wait()
        try flow.pipeline.syncOperations.addHandler(handler)
        handler.close()
        #expect(!flow.isActive)
        _ = try flow.finish(acceptAlreadyClosed: true)
        _ = try socket.finish()
    }
}
