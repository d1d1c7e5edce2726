import BurrowTestSupport
import BurrowConfig
import BurrowCore
import Foundation
import NIOPosix
import Testing
@testable import BurrowAgent

/// The agent's tunnel against a stock OpenSSH sshd as the relay: plain SSH
/// remote forwarding, no burrow-control session. Proves the SSH client,
/// visitor routing and splicing are standard.
@Suite(.spawnsProcesses) struct OpenSSHRelayTests {
    @Test(.enabled(if: OpenSSHServer.isInstalled), .timeLimit(.minutes(10)))
    func tcpMappingThroughStockSSHD() async throws {
        let identity = Identity(privateKey: .init(), comment: "agent-test")
        let sshd = try await OpenSSHServer(authorizedKey: identity.publicKeyLine)
        defer { sshd.stop() }
        let echo = try await EchoServer()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let hub = EventHub()
        let watcher = EventWatcher(hub.stream())
        let target = TunnelTarget(
            name: "sshd", host: "127.0.0.1", port: sshd.port, user: NSUserName(), identity: identity,
            hostKeyPolicy: .exact(keyLine: sshd.hostKeyLine), relayDescription: "127.0.0.1:\(sshd.port)")
        let tunnel = Tunnel(target: target, group: group, hub: hub)
        let remotePort = try Ports.free()

        let outcome: Result<Void, any Error>
        do {
            // sshd binds the bind address, so the mapping is named after a bindable host.
            await tunnel.apply(Mapping(name: "localhost", protocol: .tcp, local: LocalAddress(port: echo.port), remotePort: remotePort))
            let url = try await watcher.online("localhost")
            #expect(url.description == "tcp://127.0.0.1:\(remotePort)")

            let reply = try await BlockingSocket.exchange(port: remotePort, Array("hello through sshd\n".utf8))
            #expect(String(decoding: reply, as: UTF8.self) == "hello through sshd\n")

            let snapshot = await tunnel.snapshot(now: WallClock.now())
            #expect(snapshot.tunnel.state == .online)
            #expect(snapshot.mappings.first?.totalVisitors == 1)
            #expect(snapshot.mappings.first?.bytesIn == 19)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await tunnel.stop()
        watcher.cancel()
        await echo.stop()
        try? await group.shutdownGracefully()
        try outcome.get()
    }
}
