import BurrowNIO
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import BurrowRelay

/// The options every accepted visitor socket gets (HTTP, TLS and TCP ports):
/// TCP_NODELAY at the TCP level (not SOL_SOCKET's option 1, SO_DEBUG, which
/// only root may set: NIO drops a child whose option fails), half-closure,
/// and small first receive buffers.
@Suite("Options of an accepted visitor socket (loopback)")
struct VisitorListenerOptionsTests {
    @Test("TCP_NODELAY, no SO_DEBUG, half-closure on, a 512-byte first receive buffer")
    func acceptedVisitor() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let seen = Mutex<[String: Int]>([:])
        let accepted = group.next().makePromise(of: Void.self)
        let listener = try await ServerBootstrap.visitorListener(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let options = channel.syncOptions!
                    let soDebug = ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_DEBUG))
                    let values = [
                        "nodelay": Int(try options.getOption(.tcpOption(.tcp_nodelay))),
                        "debug": Int(try options.getOption(soDebug)),
                        "halfClosure": try options.getOption(.allowRemoteHalfClosure) ? 1 : 0,
                        "initial": (try options.getOption(.recvAllocator) as? AdaptiveRecvByteBufferAllocator)?.initial ?? -1,
                    ]
                    seen.withLock { $0 = values }
                    accepted.succeed()
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group).connect(to: listener.localAddress!).get()
        try await accepted.futureResult.get()
        let values = seen.withLock { $0 }
        #expect(values["nodelay"] != 0)
        #expect(values["debug"] == 0)
        #expect(values["halfClosure"] == 1)
        #expect(values["initial"] == VisitorReceiveBuffers.allocator.initial && values["initial"] == 512)
        try await client.close()
        try await listener.close()
        try await group.shutdownGracefully()
    }
}
