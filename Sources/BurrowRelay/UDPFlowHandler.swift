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
    /// Datagrams that arrived before the channel was open (bounded by count and bytes).
    private var early: [ByteBuffer] = []
    private var earlyBytes = 0
    /// Closed before its channel opened: the channel closes as soon as it does.
    private var closed = false
    var lastActivity = NIODeadline.now()
    static let maximumEarly = 256
    static let maximumEarlyBytes = 256 * 1024

    init(visitor: SocketAddress, socket: any Channel) {
        self.visitor = visitor
        self.socket = socket
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let queued = early
        early = []
        earlyBytes = 0
        if closed {
            context.close(promise: nil)
            return
        }
        for datagram in queued { send(datagram) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// A datagram from the visitor, to the agent.
    func send(_ datagram: ByteBuffer) {
        lastActivity = .now()
        guard let context else {
            guard !closed, early.count < Self.maximumEarly, earlyBytes + datagram.readableBytes <= Self.maximumEarlyBytes
            else { return }
            earlyBytes += datagram.readableBytes
            // Kept as its own bytes, not as a slice pinning a 64 KB receive buffer.
            early.append(ByteBuffer(bytes: datagram.readableBytesView))
            return
        }
        // UDP may drop: a flow whose agent cannot keep up loses datagrams
        // instead of filling the relay's memory.
        guard context.channel.isWritable else { return }
        var header = DatagramFrameDecoder.header(for: datagram, allocator: context.channel.allocator)
        if datagram.readableBytes * 4 < datagram.storageCapacity {
            // A small datagram travels in one buffer with its header, instead
            // of pinning the socket's 64 KB receive buffer until the agent takes it.
            header.writeImmutableBuffer(datagram)
            context.writeAndFlush(Self.wrapOutboundOut(header), promise: nil)
            return
        }
        context.write(Self.wrapOutboundOut(header), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(datagram), promise: nil)
    }

    /// A datagram from the agent, back to the visitor.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = Self.unwrapInboundIn(data)
        lastActivity = .now()
        socket.write(AddressedEnvelope(remoteAddress: visitor, data: datagram), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        socket.flush()
        context.fireChannelReadComplete()
    }

    func close() {
        closed = true
        early = []
        earlyBytes = 0
        context?.close(promise: nil)
    }
}
