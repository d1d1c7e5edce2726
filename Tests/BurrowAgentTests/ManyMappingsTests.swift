import BurrowTestSupport
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// Issue 15: an agent with a thousand mappings gets them all online on one
/// SSH connection when relay.json allows that many; no ceiling is hard-coded
/// (it was 64 forwards per connection). Visitors reach the first and the last.
@Suite(.spawnsProcesses, .tags(.slow)) struct ManyMappingsTests {
    @Test(.timeLimit(.minutes(10)))
    func aThousandMappingsAllOnline() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let relay = try await RelayFixture.start(limits: {
            $0.maxMappingsPerKey = 1000
            $0.maxReservationsPerKey = 1000
        })
        let names = (0..<1000).map { "m\($0)" }
        let agent = try AgentFixture(relay: relay, mappings: names.map {
            .http($0, local.port)
        })
        try await withCleanup {
            let clock = ContinuousClock()
            let started = clock.now
            await agent.start()
            var urls: [String: PublicURL] = [:]
            for name in names { urls[name] = try await agent.watcher.online(name) }
            print("1000 mappings online after \(clock.now - started)")
            #expect(urls.count == 1000)
            for name in ["m0", "m999"] {
                let page = try await Tools.curl([try #require(urls[name]).description + "/"])
                #expect(page.output == "hello from the local service\n")
            }
        } cleanup: {
            await agent.stop()
            await relay.stop()
        }
    }
}
