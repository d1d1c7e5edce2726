import NIOCore

/// The UDP socket of one UDP forward. Each visitor address is a flow with its
/// own `forwarded-tcpip` channel to the agent (originator = that address),
/// carrying length-prefixed datagrams (`DatagramFrameDecoder`); replies on
/// the channel go back to that address. A flow idle for `idleTimeout` either
/// way is closed; a visitor the forward's rules refuse is dropped before a
/// byte goes to the agent. Lives on the owning session's loop.
final class UDPForward: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    /// Opens a flow's channel; `handler` goes at the end of its pipeline.
    typealias FlowOpener = (SocketAddress, UDPFlowHandler) -> EventLoopFuture<any Channel>

    private let policy: AccessPolicy
    private let idleTimeout: TimeAmount
    private let openFlow: FlowOpener
    private let log: (String) -> Void
    private let metrics: RelayMetrics
    /// Addresses already logged as refused (bounded), so a sender is named once.
    private var refusedLogged: Set<SocketAddress> = []
    private var flows: [SocketAddress: UDPFlowHandler] = [:]
    private var sweep: RepeatedTask?
    private(set) var totalFlows = 0
    static let maximumFlows = 4096

    init(
        policy: AccessPolicy, idleTimeout: TimeAmount, metrics: RelayMetrics, log: @escaping (String) -> Void,
        openFlow: @escaping FlowOpener
    ) {
        self.policy = policy
        self.metrics = metrics
        self.idleTimeout = idleTimeout
        self.log = log
        self.openFlow = openFlow
    }

    var openFlows: Int { flows.count }

    func handlerAdded(context: ChannelHandlerContext) {
        let interval = TimeAmount.nanoseconds(max(idleTimeout.nanoseconds / 4, 10_000_000))
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        sweep = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            handler.value.expireIdleFlows()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        sweep?.cancel()
        for flow in flows.values { flow.close() }
        flows = [:]
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        let visitor = envelope.remoteAddress
        if let flow = flows[visitor] {
            flow.send(envelope.data)
            return
        }
        guard policy.admits(visitor) else {
            metrics.refused("address_not_allowed")
            if refusedLogged.count < 1024, refusedLogged.insert(visitor).inserted {
                log("UDP visitor \(visitor.ipAddress ?? "?") refused: address not allowed (further datagrams dropped silently)")
            }
            return
        }
        guard flows.count < Self.maximumFlows else { return }
        let flow = UDPFlowHandler(visitor: visitor, socket: context.channel)
        flows[visitor] = flow
        totalFlows += 1
        flow.send(envelope.data)
        let forward = NIOLoopBound(self, eventLoop: context.eventLoop)
        openFlow(visitor, flow).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                channel.closeFuture.assumeIsolated().whenComplete { _ in forward.value.flowClosed(visitor, flow) }
            case .failure:
                forward.value.flowClosed(visitor, flow)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like: UDP carries on.
    }

    private func flowClosed(_ visitor: SocketAddress, _ flow: UDPFlowHandler) {
        if flows[visitor] === flow { flows[visitor] = nil }
    }

    private func expireIdleFlows() {
        let cutoff = NIODeadline.now() - idleTimeout
        for (_, flow) in flows where flow.lastActivity < cutoff {
            flow.close()
        }
    }
}
