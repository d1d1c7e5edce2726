import BurrowCore
import BurrowNIO
import NIOCore
import NIOSSH

/// A `session` channel. `exec "burrow-control"` makes it the control channel:
/// JSON lines both ways (`ControlCodec`). A shell request makes it a banner
/// channel for a plain `ssh -R` user: it lists the session's URLs, and
/// Ctrl-C or Ctrl-D closes it. Other commands, subsystems and a shell beyond
/// the banner are refused: the relay is not a login host.
final class SessionChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = SSHChannelData
    typealias OutboundIn = Never
    typealias OutboundOut = SSHChannelData

    enum Mode { case idle, control, banner }

    private let session: RelaySession
    private var context: ChannelHandlerContext?
    private(set) var mode = Mode.idle
    private var lineFramer = ControlLineFramer(maximumLineLength: ControlCodec.maximumLineLength)

    init(session: RelaySession) {
        self.session = session
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // An agent (or `ssh … burrow-control < /dev/null`) may close its sending
        // side early; the channel stays open for what the relay still has to say.
        context.channel.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).whenFailure { _ in }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.detach(self)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let exec as SSHChannelRequestEvent.ExecRequest:
            guard mode == .idle, exec.command == ControlCodec.command else {
                // Accepted only to say why on stderr and exit 1: OpenSSH drops
                // the text of a failed exec request.
                reply(context, success: true, wantReply: exec.wantReply)
                let reason = "burrow relay: commands are not run here (got '\(exec.command)'); use ssh -N -R NAME:80:localhost:PORT"
                session.logRefusal(reason)
                finish(context, exitStatus: 1, stderr: reason + "\r\n")
                return
            }
            mode = .control
            reply(context, success: true, wantReply: exec.wantReply)
            session.attachControl(self)
        case let shell as SSHChannelRequestEvent.ShellRequest:
            guard mode == .idle else {
                reply(context, success: false, wantReply: shell.wantReply)
                return
            }
            mode = .banner
            reply(context, success: true, wantReply: shell.wantReply)
            session.attachBanner(self)
        case let pty as SSHChannelRequestEvent.PseudoTerminalRequest:
            // Accepted so an interactive `ssh -R` gets its banner; no shell ever runs.
            reply(context, success: true, wantReply: pty.wantReply)
        case let subsystem as SSHChannelRequestEvent.SubsystemRequest:
            refuse(
                context, wantReply: subsystem.wantReply,
                "burrow relay: subsystem '\(subsystem.subsystem)' refused: this relay is not a login host")
        case let env as SSHChannelRequestEvent.EnvironmentRequest:
            reply(context, success: false, wantReply: env.wantReply)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = Self.unwrapInboundIn(data)
        guard case .channel = message.type, case .byteBuffer(var bytes) = message.data else { return }
        switch mode {
        case .control:
            readControlLines(context, &bytes)
        case .banner:
            // With a pty the terminal is raw: Ctrl-C / Ctrl-D arrive as bytes.
            if bytes.readableBytesView.contains(where: { $0 == 0x03 || $0 == 0x04 }) {
                writeText("Closing the tunnel.\r\n")
                finish(context, exitStatus: 0, stderr: nil)
            }
        case .idle:
            break
        }
    }

    /// Sends one control message (control channel only).
    func send(_ message: RelayMessage) {
        guard mode == .control else { return }
        writeText(ControlCodec.encode(message) + "\n")
    }

    /// Writes human text to a banner channel.
    func writeBanner(_ text: String) {
        guard mode == .banner else { return }
        writeText(text.replacingNewlinesForTerminal())
    }

    func close() {
        context?.close(promise: nil)
    }

    private func readControlLines(_ context: ChannelHandlerContext, _ bytes: inout ByteBuffer) {
        let (lines, overflow) = lineFramer.feed(&bytes)
        for line in lines { handleControlLine(line) }
        if overflow {
            send(.notice("control line longer than \(ControlCodec.maximumLineLength) bytes; closing the control channel"))
            context.close(promise: nil)
        }
    }

    private func handleControlLine(_ line: String) {
        do {
            switch try ControlCodec.decodeAgentMessage(line) {
            case .hello(let version, let instance, let connection):
                session.agentSaidHello(version: version, instance: instance, connection: connection)
            case .ping(let id):
                send(.pong(id: id))
            case .register(let registration, let requestID):
                session.register(registration, requestID: requestID, reply: send)
            case .service(let name, let up):
                session.serviceChanged(name: name, up: up)
            }
        } catch {
            send(.notice("ignored a control line: \(error.description)"))
        }
    }

    private func writeText(_ text: String) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        context.writeAndFlush(Self.wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(buffer))), promise: nil)
    }

    private func reply(_ context: ChannelHandlerContext, success: Bool, wantReply: Bool) {
        guard wantReply else { return }
        let event: any Sendable = success ? ChannelSuccessEvent() : ChannelFailureEvent()
        context.triggerUserOutboundEvent(event, promise: nil)
    }

    /// Ends the channel the way a finished command does, so `ssh` exits with `exitStatus`.
    private func finish(_ context: ChannelHandlerContext, exitStatus: Int, stderr: String?) {
        if let stderr {
            var buffer = context.channel.allocator.buffer(capacity: stderr.utf8.count)
            buffer.writeString(stderr)
            context.writeAndFlush(Self.wrapOutboundOut(SSHChannelData(type: .stdErr, data: .byteBuffer(buffer))), promise: nil)
        }
        let channel = context.channel
        context.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: exitStatus))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    /// Tells the client why on stderr, fails the request, and closes the channel.
    private func refuse(_ context: ChannelHandlerContext, wantReply: Bool, _ reason: String) {
        var buffer = context.channel.allocator.buffer(capacity: reason.utf8.count + 2)
        buffer.writeString(reason + "\r\n")
        context.writeAndFlush(Self.wrapOutboundOut(SSHChannelData(type: .stdErr, data: .byteBuffer(buffer))), promise: nil)
        session.logRefusal(reason)
        reply(context, success: false, wantReply: wantReply)
        context.close(promise: nil)
    }
}

extension String {
    /// A pty in raw mode needs CR LF to start lines at the left edge.
    fileprivate func replacingNewlinesForTerminal() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }
}
