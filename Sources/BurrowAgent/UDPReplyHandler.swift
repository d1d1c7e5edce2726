import NIOCore

/// On a flow's local UDP socket: hands each reply datagram to the flow.
final class UDPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let flow: UDPFlowBridge

    init(flow: UDPFlowBridge) {
        self.flow = flow
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        flow.reply(Self.unwrapInboundIn(data).data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flow.replyBurstEnded()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ECONNREFUSED from an ICMP port-unreachable: nobody listens yet; UDP carries on.
    }
}
