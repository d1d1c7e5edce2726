import NIOCore

/// The UDP socket of one UDP forward. Each visitor address is a flow with its
/// own `forwarded-tcpip` channel to the agent (originator = that address),
/// carrying length-prefixed datagrams (`DatagramFrameDecoder`); replies on
/// the channel go back to that address. A flow idle for `idleTimeout` either
/// way is closed; a visitor the forward's rules refuse is dropped before a
/// byte goes to the agent. Lives on the owning session's loop.
///
/// Flows are bounded per visitor IP (`udpMaxFlowsPerAddress`), per forward
/// (`udpMaxFlowsPerMapping`) and per key (`udpMaxFlowsPerKey`, counted
/// across loops by the `VisitorGate`): a new flow past a limit replaces the
/// flow idle longest in that scope, so one sender spraying source ports
/// cannot take the mapping (or the agent's sockets) from everyone else.
final class UDPForward: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    /// Opens a flow's channel; `handler` goes at the end of its pipeline.
    typealias FlowOpener = (SocketAddress, UDPFlowHandler) -> EventLoopFuture<any Channel>

    /// The limits that apply to one forward's flows.
    struct Limits {
        var perAddress: Int
        var perMapping: Int
        /// The forward's key, whose flows the gate counts across forwards.
        var key: String
        var gate: VisitorGate
        /// Says once per interval that a UDP limit bit.
        var report: (_ limit: String, _ line: String) -> Void
    }

    private let policy: AccessPolicy
    private let idleTimeout: TimeAmount
    private let limits: Limits
    private let openFlow: FlowOpener
    private let log: (String) -> Void
    private let metrics: RelayMetrics
    /// Addresses already logged as refused (bounded), so a sender is named once.
    private var refusedLogged: Set<SocketAddress> = []
    private var flows: [SocketAddress: UDPFlowHandler] = [:]
    /// Open flows per visitor IP.
    private var flowsPerAddress: [String: Int] = [:]
    private var sweep: RepeatedTask?
    private(set) var totalFlows = 0

    init(
        policy: AccessPolicy, idleTimeout: TimeAmount, limits: Limits, metrics: RelayMetrics,
        log: @escaping (String) -> Void, openFlow: @escaping FlowOpener
    ) {
        self.policy = policy
        self.metrics = metrics
        self.idleTimeout = idleTimeout
        self.limits = limits
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
        for (visitor, flow) in flows {
            retire(visitor, flow)
            flow.close()
        }
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
        guard makeRoom(for: visitor) else { return }
        let flow = UDPFlowHandler(visitor: visitor, socket: context.channel)
        flows[visitor] = flow
        flowsPerAddress[Self.ip(visitor), default: 0] += 1
        totalFlows += 1
        flow.send(envelope.data)
        let forward = NIOLoopBound(self, eventLoop: context.eventLoop)
        openFlow(visitor, flow).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                channel.closeFuture.assumeIsolated().whenComplete { _ in forward.value.retire(visitor, flow) }
            case .failure:
                forward.value.retire(visitor, flow)
            }
        }
    }

    /// Frees a place for a new flow from `visitor` under every limit (closing
    /// the flows idle longest), and counts it for the key; false drops the datagram.
    private func makeRoom(for visitor: SocketAddress) -> Bool {
        let ip = Self.ip(visitor)
        if flowsPerAddress[ip, default: 0] >= limits.perAddress {
            evictOldest(limit: "udpMaxFlowsPerAddress", subject: ip) { Self.ip($0.visitor) == ip }
        }
        if flows.count >= limits.perMapping {
            evictOldest(limit: "udpMaxFlowsPerMapping", subject: ip) { _ in true }
        }
        if !limits.gate.admitFlow(key: limits.key) {
            // Another forward of the key may hold them all: make room here if this one has any.
            guard !flows.isEmpty else {
                limits.report("udpMaxFlowsPerKey", "dropped a datagram from a new UDP visitor \(ip): this key has \(flows.count) flows here and the rest elsewhere")
                return false
            }
            evictOldest(limit: "udpMaxFlowsPerKey", subject: ip) { _ in true }
            guard limits.gate.admitFlow(key: limits.key) else { return false }
        }
        return true
    }

    private func evictOldest(limit: String, subject: String, where matches: (UDPFlowHandler) -> Bool) {
        var oldest: (SocketAddress, UDPFlowHandler)?
        for (visitor, flow) in flows where matches(flow) {
            if oldest == nil || flow.lastActivity < oldest!.1.lastActivity { oldest = (visitor, flow) }
        }
        guard let (visitor, flow) = oldest else { return }
        limits.report(limit, "a new UDP visitor from \(subject) replaced the flow idle longest (\(visitor))")
        retire(visitor, flow)
        flow.close()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like: UDP carries on.
    }

    /// Forgets a flow, once: its place under every limit is free again.
    private func retire(_ visitor: SocketAddress, _ flow: UDPFlowHandler) {
        guard flows[visitor] === flow else { return }
        flows[visitor] = nil
        let ip = Self.ip(visitor)
        if let count = flowsPerAddress[ip] { flowsPerAddress[ip] = count > 1 ? count - 1 : nil }
        limits.gate.releaseFlow(key: limits.key)
    }

    private func expireIdleFlows() {
        let cutoff = NIODeadline.now() - idleTimeout
        for (_, flow) in flows where flow.lastActivity < cutoff {
            flow.close()
        }
    }

    private static func ip(_ address: SocketAddress) -> String {
        address.ipAddress ?? "?"
    }
}
