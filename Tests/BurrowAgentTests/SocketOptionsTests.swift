import BurrowConfig
import BurrowCore
import NIOCore
import NIOPosix
import Testing

@testable import BurrowAgent

/// The agent's connection to its relay asks for TCP_NODELAY at the TCP level.
/// It used to ask with `.socketOption(.tcp_nodelay)`, which is the socket
/// level's option 1 — SO_DEBUG — and only root may set that: for anyone else
/// setsockopt fails with EACCES (and, as root, Nagle stayed NIO's to decide).
@Suite("Socket options of the agent's connections (loopback)")
struct SocketOptionsTests {
    @Test("the relay connection has TCP_NODELAY and not SO_DEBUG")
    func relayConnection() async throws {
        let relay = try await RelayFixture.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let target = TunnelTarget(
                name: "t", host: "127.0.0.1", port: relay.endpoints.sshPort, user: "burrow",
                identity: Identity(privateKey: .init(), comment: "socket-options-test"),
                hostKeyPolicy: .exact(keyLine: relay.endpoints.hostKeyLine), relayDescription: "test relay")
            let connection = try await SSHTunnelConnection.connect(group: group, target: target, router: Router(), onLocalRefused: { _, _, _ in })
            #expect(try await connection.channel.getOption(.tcpOption(.tcp_nodelay)).get() != 0)
            let soDebug = ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_DEBUG))
            #expect(try await connection.channel.getOption(soDebug).get() == 0)
            connection.close()
        } catch {
            Issue.record("\(error)")
        }
        try await group.shutdownGracefully()
        await relay.stop()
    }
}
