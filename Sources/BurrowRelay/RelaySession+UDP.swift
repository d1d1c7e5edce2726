import BurrowCore
import BurrowNIO
import NIOCore
import NIOPosix
import NIOSSH

/// UDP mappings: a `register` with protocol udp, then `tcpip-forward` with
/// port P (0 = the relay picks from its range): the relay binds UDP port P
/// and carries each visitor address as a flow (`UDPForward`).
extension RelaySession {
    func listenUDP(host: String, port: Int, key: String, promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>) {
        let range = context.configuration.portRange
        guard let candidates = candidatePorts(host: host, port: port, key: key, promise: promise) else { return }
        let forwardID = context.makeID()
        let policy = policy(for: host)
        bindFirstUDP(of: candidates[...], forwardID: forwardID, policy: policy).assumeIsolated().whenComplete { result in
            switch result {
            case .failure(let error):
                self.refuse(host: host, port: port, "UDP port \(port == 0 ? "from \(range)" : String(port)) cannot be bound on the relay: \(BindErrorText.describe(error))", promise)
            case .success(let (socket, bound)):
                self.adoptBoundPort(socket, bound: bound, host: host, port: port, key: key, promise: promise) {
                    self.grantPorted(
                        .udp(port: bound), id: forwardID, host: host, port: port, listener: socket, key: key,
                        policy: policy, bandwidth: nil, promise)
                }
            }
        }
    }

    private func bindFirstUDP(of candidates: ArraySlice<Int>, forwardID: UInt64, policy: AccessPolicy) -> EventLoopFuture<(any Channel, Int)> {
        guard let port = candidates.first else { return loop.makeFailedFuture(RelayError.refused("no candidate port")) }
        let session = handoff
        let idle = TimeAmount(context.configuration.udpFlowIdleTimeout)
        let log: @Sendable (String) -> Void = { [context] in context.log($0) }
        let metrics = context.metrics
        let (limits, reporter) = (context.limits, context.limitReporter)
        let key = identity?.fingerprint ?? ""
        let gate = context.visitorGate
        return DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // Whole datagrams (NIO's default reads at most 2048 bytes of one).
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let flowLimits = UDPForward.Limits(
                        perAddress: limits.udpMaxFlowsPerAddress, perMapping: limits.udpMaxFlowsPerMapping, key: key, gate: gate
                    ) { limit, line in
                        reporter.report(limit: limit, subject: "\(forwardID)", line)
                    }
                    let forward = UDPForward(policy: policy, idleTimeout: idle, limits: flowLimits, metrics: metrics, log: log) {
                        visitor, flow in
                        session.value.openFlowChannel(forwardID: forwardID, visitor: visitor, flow: flow)
                    }
                    try channel.pipeline.syncOperations.addHandler(forward)
                }
            }
            .bind(host: context.configuration.bindHost, port: port)
            .map { ($0, port) }
            .assumeIsolated()
            .flatMapError { error in
                candidates.count > 1
                    ? self.bindFirstUDP(of: candidates.dropFirst(), forwardID: forwardID, policy: policy)
                    : self.loop.makeFailedFuture(error)
            }
            .nonisolated()
    }

    /// One UDP flow's channel: the shared `openChannel` (counted like any
    /// visitor, bytes as framed on the tunnel) with datagram framing and the flow.
    func openFlowChannel(forwardID: UInt64, visitor: SocketAddress, flow: UDPFlowHandler) -> EventLoopFuture<any Channel> {
        openChannel(forwardID: forwardID, originator: visitor, handlers: [ByteToMessageHandler(DatagramFrameDecoder()), flow])
    }
}
