import BurrowTestSupport
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// config.json changes while the engine runs (the TUI's profile switcher,
/// `burrow profile add` in another shell).
@Suite(.spawnsProcesses) struct ProfileSwitchTests {
    @Test(.timeLimit(.minutes(10)))
    func mappingsFollowANewlySelectedProfile() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let embedded = try await RelayFixture.start()
        let remote = try await RelayFixture.start()
        try await embedded.withAgent(mappings: [.http("mover", local.port)], alsoStop: { await remote.stop() }) { agent in
            let before = try await agent.watcher.online("mover")
            #expect(before.port == embedded.endpoints.httpPort)

            let seen = agent.watcher.events.count
            _ = try agent.store.addProfile(Profile(name: "far", host: "127.0.0.1", sshPort: remote.endpoints.sshPort))
            _ = try agent.store.selectProfile(named: "far")
            let after = try await agent.watcher.online("mover", after: seen)
            #expect(after.port == remote.endpoints.httpPort)
            // The log says what happened: the mapping moved, it was not removed.
            #expect(agent.watcher.events[seen...].contains(.moved(mapping: "mover", tunnel: "far")))
            #expect(!agent.watcher.events[seen...].contains(.removed(mapping: "mover")))
            let page = try await Tools.curl(["\(after)/"])
            #expect(page.output == "hello from the local service\n")
            let snapshot = await agent.engine.snapshot()
            #expect(snapshot.tunnels.map(\.profile) == ["far"])
            #expect(snapshot.mappings.first?.tunnel == "far")
            #expect(snapshot.tunnels.first?.rttMs != nil)
        }
    }
}
