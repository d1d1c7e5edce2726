import BurrowCore
import BurrowNIO
import NIOCore
import NIOSSH

/// The agent's end of the `burrow-control` session: asks the relay to
/// `exec "burrow-control"`, says hello, and turns the relay's JSON lines
/// into `RelayMessage`s on an `AsyncStream`. Outbound, it frames lines
/// written as `ByteBuffer`s into channel data.
final class ControlChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = SSHChannelData
    typealias InboundOut = Never
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = SSHChannelData

    private let messages: AsyncStream<RelayMessage>.Continuation
    private let refusals: RefusalBook
    private let lastWord: RelayLastWord
    private var lineFramer = ControlLineFramer(maximumLineLength: ControlCodec.maximumLineLength)
    /// The first line: the tunnel run's `AgentInstance` and this connection's number in it.
    private let hello: AgentMessage

    init(messages: AsyncStream<RelayMessage>.Continuation, refusals: RefusalBook, lastWord: RelayLastWord = RelayLastWord(),
         instance: String? = nil, connection: Int? = nil) {
        self.messages = messages
        self.refusals = refusals
        self.lastWord = lastWord
        hello = .hello(agentVersion: BurrowVersion.current, instance: instance, connection: connection)
    }

    func channelActive(context: ChannelHandlerContext) {
        let exec = SSHChannelRequestEvent.ExecRequest(command: ControlCodec.command, wantReply: true)
        context.triggerUserOutboundEvent(exec, promise: nil)
        let line = ByteBuffer(string: ControlCodec.encode(hello) + "\n")
        context.writeAndFlush(wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(line))), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        // stderr (e.g. a stock sshd's "command not found") is not ours to parse.
        guard case .channel = message.type, case .byteBuffer(var bytes) = message.data else { return }
        let (lines, overflow) = lineFramer.feed(&bytes)
        for line in lines {
            if let decoded = try? ControlCodec.decodeRelayMessage(line) {
                switch decoded {
                case .refused(let bindHost, _, let reason, _): refusals.record(reason, for: bindHost)
                case .notice(let text, _): lastWord.record(text)
                default: break
                }
                messages.yield(decoded)
            }
        }
        if overflow { context.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelFailureEvent {
            // The relay would not run burrow-control: it is not a Burrow relay.
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = unwrapOutboundIn(data)
        context.write(wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(bytes))), promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        messages.finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        messages.finish()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
