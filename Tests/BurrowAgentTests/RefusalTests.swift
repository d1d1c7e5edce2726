import BurrowTestSupport
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// What the relay or the agent refuses surfaces as events and states, never silently.
@Suite(.spawnsProcesses) struct RefusalTests {
    @Test(.timeLimit(.minutes(10)))
    func nameHeldByAnotherKeyIsRefused() async throws {
        let relay = try await RelayFixture.start()
        let owner = try AgentFixture(relay: relay, mappings: [.http("shared", 9)])
        let other = try AgentFixture(relay: relay, mappings: [.http("shared", 9)])
        try await withCleanup {
            await owner.start()
            _ = try await owner.watcher.online("shared")
            await other.start()
            let message = try await other.watcher.error(.mapping("shared")).message
            #expect(message.contains("shared"))
            #expect(message.contains("another key"), "\(message)")
            let snapshot = try #require(await other.mapping("shared"))
            guard case .refused(let reason) = snapshot.state else {
                Issue.record("state is \(snapshot.state)")
                return
            }
            #expect(reason == message)
            #expect(try #require(await owner.mapping("shared")).state == .online)
        } cleanup: {
            await other.stop()
            await owner.stop()
            await relay.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func portOutsideTheRangeIsRefused() async throws {
        let relay = try await RelayFixture.start()
        let outside = relay.portRange.upperBound + 1
        try await relay.withAgent(mappings: [
            Mapping(name: "far", protocol: .tcp, local: LocalAddress(port: 9), remotePort: outside),
            .tcp("near", 9),
        ]) { agent in
            let message = try await agent.watcher.error(.mapping("far")).message
            #expect(message.contains("\(outside)"), "\(message)")
            // The other mapping on the same tunnel is unaffected.
            _ = try await agent.watcher.online("near")
            guard case .refused = try #require(await agent.mapping("far")).state else {
                Issue.record("far is not refused")
                return
            }
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func firstContactPinsTheHostKeyAndAChangedKeyIsRefused() async throws {
        let relay = try await RelayFixture.start()
        let agent = try AgentFixture(relay: relay, via: .profile, mappings: [.http("pinned", 9)])
        let knownRelays = agent.store.knownRelaysPath
        try await withCleanup {
            // Trust on first use: the relay's key lands in known_relays.
            await agent.start()
            _ = try await agent.watcher.online("pinned")
            let pinned = try String(contentsOfFile: knownRelays, encoding: .utf8)
            let relayKey = relay.endpoints.hostKeyLine.split(separator: " ").prefix(2).joined(separator: " ")
            #expect(pinned.contains("[127.0.0.1]:\(relay.endpoints.sshPort) \(relayKey)"))
        } cleanup: {
            await agent.stop(removeDirectory: false)
        }
        await relay.stop()

        // Another relay (another host key) where the first one was pinned:
        // refused, loudly, never pinned. (It listens on another port, pinned
        // to the first relay's key the same way: reusing the port would race
        // with other tests' ephemeral ports.)
        let impostor = try await RelayFixture.start()
        try agent.store.knownRelays.pin(host: "127.0.0.1", port: impostor.endpoints.sshPort, keyLine: relay.endpoints.hostKeyLine)
        try agent.store.updateConfig { config in
            config.profiles = config.profiles.map { profile in
                var profile = profile
                profile.sshPort = impostor.endpoints.sshPort
                return profile
            }
        }
        let again = try AgentFixture(relay: impostor, via: .profile, mappings: [.http("pinned", 9)],
                                     directory: agent.directory)
        try await withCleanup {
            await again.start()
            let message = try await again.watcher.error(.tunnel, containing: "REMOTE HOST IDENTIFICATION HAS CHANGED").message
            #expect(message.contains(OpenSSHKey.fingerprint(try OpenSSHKey.parsePublicKeyLine(impostor.endpoints.hostKeyLine))))
            #expect(message.contains(knownRelays))
            try await again.watcher.waitFor("offline") {
                if case .offline("test", _) = $0 { return true }
                return false
            }
            let tunnel = try #require(await again.engine.snapshot().tunnels.first)
            guard case .offline = tunnel.state else {
                Issue.record("tunnel state \(tunnel.state)")
                return
            }
            #expect(try #require(await again.mapping("pinned")).state != .online)
            // The pin was not replaced.
            let pinnedAfter = try String(contentsOfFile: knownRelays, encoding: .utf8)
            #expect(pinnedAfter.contains(relay.endpoints.hostKeyLine.split(separator: " ")[1]))
            #expect(!pinnedAfter.contains(impostor.endpoints.hostKeyLine.split(separator: " ")[1]))
        } cleanup: {
            await again.stop()
            await impostor.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func unknownKeyIsRefusedWithAHint() async throws {
        let relay = try await RelayFixture.start(allowAnyKey: false)
        try await relay.withAgent(via: .profile, mappings: [.http("nokey", 9)]) { agent in
            let event = try await agent.watcher.waitFor("reconnecting after key refusal") {
                if case .reconnecting("test", _, let reason) = $0 { return reason.contains("refused this agent's key") }
                return false
            }
            guard case .reconnecting(_, _, let reason) = event else { return }
            #expect(reason.contains(try agent.identity.fingerprint))
            #expect(reason.contains("authorized_keys"))
        }
    }
}
