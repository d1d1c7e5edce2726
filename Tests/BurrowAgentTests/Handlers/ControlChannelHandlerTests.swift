import BurrowCore
import NIOCore
import NIOEmbedded
import NIOSSH
import Testing

@testable import BurrowAgent

/// The agent's `burrow-control` end on an EmbeddedChannel: the exec and the
/// hello out, the relay's lines in as messages. All channel work happens
/// before the first `await` (an EmbeddedEventLoop belongs to one thread).
@Suite("ControlChannelHandler (EmbeddedChannel)", .timeLimit(.minutes(1)))
struct ControlChannelHandlerTests {
    /// Notes the user events the handler sends towards the SSH channel.
    final class OutboundEvents: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var events: [Any] = []
        func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
            events.append(event)
            promise?.succeed()
        }
    }

    struct Setup {
        let channel: EmbeddedChannel
        let messages: AsyncStream<RelayMessage>
        let refusals: RefusalBook
        let events: OutboundEvents
    }

    private func start() throws -> Setup {
        let (stream, continuation) = AsyncStream<RelayMessage>.makeStream()
        let refusals = RefusalBook()
        let events = OutboundEvents()
        let channel = EmbeddedChannel(handlers: [events, ControlChannelHandler(messages: continuation, refusals: refusals)])
        try channel.connect(to: SocketAddress(ipAddress: "198.51.100.4", port: 22)).wait()
        return Setup(channel: channel, messages: stream, refusals: refusals, events: events)
    }

    private func data(_ text: String, _ type: SSHChannelData.DataType = .channel) -> SSHChannelData {
        SSHChannelData(type: type, data: .byteBuffer(ByteBuffer(string: text)))
    }

    private func text(_ message: SSHChannelData?) -> String? {
        guard let message, message.type == .channel, case .byteBuffer(let bytes) = message.data else { return nil }
        return String(buffer: bytes)
    }

    private func collect(_ stream: AsyncStream<RelayMessage>) async -> [RelayMessage] {
        var messages: [RelayMessage] = []
        for await message in stream { messages.append(message) }
        return messages
    }

    @Test("on activation: exec burrow-control (reply wanted), then one hello line")
    func execAndHello() throws {
        let setup = try start()
        #expect(setup.events.events.compactMap { $0 as? SSHChannelRequestEvent.ExecRequest }
            == [SSHChannelRequestEvent.ExecRequest(command: "burrow-control", wantReply: true)])
        let hello = try setup.channel.readOutbound(as: SSHChannelData.self)
        #expect(text(hello) == ControlCodec.encode(.hello(agentVersion: BurrowVersion.current)) + "\n")
        #expect(try setup.channel.readOutbound(as: SSHChannelData.self) == nil)
        _ = try setup.channel.finish()
    }

    @Test("lines split anywhere become messages in order; CRLF, blank and unreadable lines and stderr are no messages")
    func linesToMessages() async throws {
        let setup = try start()
        let welcome = ControlCodec.encode(.welcome(relayVersion: "0.1.0", domain: "example.com"))
        let refused = ControlCodec.encode(.refused(bindHost: "shop", bindPort: 80, reason: "name taken"))
        let stream = welcome + "\r\n\n{not json}\n" + refused + "\n" + ControlCodec.encode(.pong(id: 7)) + "\n"
        let bytes = Array(stream.utf8)
        for start in stride(from: 0, to: bytes.count, by: 5) {
            try setup.channel.writeInbound(data(String(decoding: bytes[start..<min(start + 5, bytes.count)], as: UTF8.self)))
        }
        try setup.channel.writeInbound(data(ControlCodec.encode(.notice("from stderr")) + "\n", .stdErr))
        #expect(setup.refusals.take("shop") == "name taken")
        #expect(setup.channel.isActive)
        _ = try setup.channel.finish()
        #expect(await collect(setup.messages) == [
            .welcome(relayVersion: "0.1.0", domain: "example.com"),
            .refused(bindHost: "shop", bindPort: 80, reason: "name taken"),
            .pong(id: 7),
        ])
    }

    @Test("an unfinished line over the maximum closes the channel; one of exactly the maximum does not")
    func overlongLine() async throws {
        let setup = try start()
        let notice = ControlCodec.encode(.notice("before")) + "\n"
        try setup.channel.writeInbound(data(notice + String(repeating: "x", count: ControlCodec.maximumLineLength)))
        #expect(setup.channel.isActive)
        try setup.channel.writeInbound(data("x"))
        #expect(!setup.channel.isActive)
        _ = try setup.channel.finish(acceptAlreadyClosed: true)
        #expect(await collect(setup.messages) == [.notice("before")])
    }

    @Test("a refused exec (channel failure) closes the channel")
    func channelFailure() throws {
        let setup = try start()
        setup.channel.pipeline.fireUserInboundEventTriggered(ChannelFailureEvent())
        #expect(!setup.channel.isActive)
        _ = try setup.channel.finish(acceptAlreadyClosed: true)
    }

    @Test("bytes written go out as channel data, unchanged")
    func writes() throws {
        let setup = try start()
        _ = try setup.channel.readOutbound(as: SSHChannelData.self)  // the hello
        try setup.channel.writeOutbound(ByteBuffer(string: "{\"type\":\"ping\",\"id\":1}\n"))
        #expect(text(try setup.channel.readOutbound(as: SSHChannelData.self)) == "{\"type\":\"ping\",\"id\":1}\n")
        _ = try setup.channel.finish()
    }
}
