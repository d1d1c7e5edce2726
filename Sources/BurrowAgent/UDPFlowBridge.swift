import BurrowCore
import BurrowNIO
import NIOCore
import NIOPosix

/// The agent's end of one UDP flow (one visitor address at the relay): the
/// datagrams the relay frames onto the `forwarded-tcpip` channel are sent to
/// the mapping's local UDP port from a socket of this flow's own, so the
/// service's replies come back on it and go to the right visitor. The socket
/// closes with the channel (the relay expires idle flows).
final class UDPFlowBridge: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let route: Route
    private var context: ChannelHandlerContext?
    private var socket: (any Channel)?
    /// Datagrams that came before the socket was ready (bounded).
    private var early: [ByteBuffer] = []
    private var closed = false
    static let maximumEarly = 256

    init(route: Route) {
        self.route = route
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let bridge = NIOLoopBound(self, eventLoop: context.eventLoop)
        let child = context.channel
        let bootstrap = DatagramBootstrap(group: context.eventLoop)
            // Whole datagrams (NIO's default reads at most 2048 bytes of one).
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
            .channelInitializer { socket in
                socket.eventLoop.makeCompletedFuture {
                    try socket.pipeline.syncOperations.addHandler(UDPReplyHandler(flow: bridge.value))
                }
            }
        let local = route.local
        // An IP address needs no lookup (LocalDialer does the same for TCP).
        (LocalDialer.ipAddress(local).map { bootstrap.connect(to: $0) } ?? bootstrap.connect(host: local.host, port: local.port))
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let socket):
                    bridge.value.socketReady(socket)
                case .failure:
                    child.close(promise: nil)
                }
            }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        closed = true
        socket?.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        socket?.close(promise: nil)
        context.fireChannelInactive()
    }

    private func socketReady(_ socket: any Channel) {
        guard !closed else {
            socket.close(promise: nil)
            return
        }
        self.socket = socket
        for datagram in early { send(datagram, on: socket) }
        early = []
        socket.flush()
    }

    /// A datagram from the visitor, to the local service.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = Self.unwrapInboundIn(data)
        guard let socket else {
            if early.count < Self.maximumEarly { early.append(datagram) }
            return
        }
        send(datagram, on: socket)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        socket?.flush()
        context.fireChannelReadComplete()
    }

    private func send(_ datagram: ByteBuffer, on socket: any Channel) {
        guard let remote = socket.remoteAddress else { return }
        socket.write(AddressedEnvelope(remoteAddress: remote, data: datagram), promise: nil)
    }

    /// A reply from the local service, back to the visitor through the relay.
    func reply(_ datagram: ByteBuffer) {
        guard let context else { return }
        context.write(Self.wrapOutboundOut(DatagramFrameDecoder.header(for: datagram, allocator: context.channel.allocator)), promise: nil)
        context.write(Self.wrapOutboundOut(datagram), promise: nil)
    }

    func replyBurstEnded() {
        context?.flush()
    }
}
