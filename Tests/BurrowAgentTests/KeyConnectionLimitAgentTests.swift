import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// `sshMaxConnectionsPerKey` as a user meets it: a second agent run with the
/// same key, past the relay's limit, is told why (not "permission denied"),
/// in its event log and on its reconnecting line, keeps retrying, and comes
/// online once the first run stops.
@Suite(.spawnsProcesses) struct KeyConnectionLimitAgentTests {
    @Test(.timeLimit(.minutes(5)))
    func aRunPastTheKeysLimitIsToldWhyAndComesOnlineOnceThereIsRoom() async throws {
        let service = try await PoolMemberServer("A")
        let relay = try await RelayFixture.start { $0.sshMaxConnectionsPerKey = 1 }
        let first = try MultiConnectionTests.agent(relay, [.http("web", service.port)], connections: 1)
        var second: AgentFixture?
        try await withCleanup {
            await first.start()
            _ = try await first.watcher.online("web")
            let other = try MultiConnectionTests.agent(
                relay, [.http("web", service.port)], connections: 1, directory: try MultiConnectionTests.sameKey(as: first))
            second = other
            await other.start()
            let said = try await other.watcher.error(.anyone, containing: "sshMaxConnectionsPerKey")
            #expect(said.message.contains("already has 1 SSH connection open"), "\(said.message)")
            // The tunnel's reconnecting line gives the relay's reason, not a bare "closed".
            let retry = try await other.watcher.waitFor("reconnecting with the relay's reason") {
                if case .reconnecting(_, _, let reason) = $0 { return reason.contains("sshMaxConnectionsPerKey") }
                return false
            }
            #expect(retry.humanLine.contains("(it said: this key already has 1 SSH connection open"), "\(retry.humanLine)")
            #expect(await MultiConnectionTests.holders(relay, "web").count == 1)
            // The first run stops: the key has room again, and the second run's retries bring it online.
            await first.stop()
            _ = try await other.watcher.online("web", timeout: .seconds(90))
        } cleanup: {
            await second?.stop()
            await first.stop()
            await relay.stop()
            service.stop()
        }
    }
}
