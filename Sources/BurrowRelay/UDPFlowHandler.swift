import BurrowNIO
import NIOCore

/// The relay's end of one UDP flow's `forwarded-tcpip` channel (after the
/// data codec and the frame decoder): datagrams from the agent go back to
/// the visitor's address through the UDP socket; `send` frames the visitor's
/// datagrams onto the channel. Lives on the session's loop, like the socket.
final class UDPFlowHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let visitor: SocketAddress
    private let socket: any Channel
    private var context: ChannelHandlerContext?
    /// Datagrams that arrived before the channel was open (bounded).
    private var early: [ByteBuffer] = []
    var lastActivity = NIODeadline.now()
    private(set) var bytesIn: UInt64 = 0
    private(set) var bytesOut: UInt64 = 0
    static let maximumEarly = 256

    init(visitor: SocketAddress, socket: any Channel) {
        self.visitor = visitor
        self.socket = socket
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let queued = early
        early = []
        for datagram in queued { send(datagram) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// A datagram from the visitor, to the agent.
    func send(_ datagram: ByteBuffer) {
        lastActivity = .now()
        guard let context else {
            if early.count < Self.maximumEarly { early.append(datagram) }
            return
        }
        // UDP may drop: a flow whose agent cannot keep up loses datagrams
        // instead of filling the relay's memory.
        guard context.channel.isWritable else { return }
        bytesIn += UInt64(datagram.readableBytes)
        context.write(Self.wrapOutboundOut(DatagramFrameDecoder.header(for: datagram, allocator: context.channel.allocator)), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(datagram), promise: nil)
    }

    /// A datagram from the agent, back to the visitor.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = Self.unwrapInboundIn(data)
        lastActivity = .now()
        bytesOut += UInt64(datagram.readableBytes)
        socket.write(AddressedEnvelope(remoteAddress: visitor, data: datagram), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        socket.flush()
        context.fireChannelReadComplete()
    }

    func close() {
        context?.close(promise: nil)
    }
}
