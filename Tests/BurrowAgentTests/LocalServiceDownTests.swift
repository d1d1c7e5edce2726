import BurrowTestSupport
@testable import BurrowAgent
import BurrowCore
import Foundation
import Testing

/// Issue 11 item 6 (agent side): while the local service is down the agent's
/// 502 is in the request list, answered by the agent, and the mapping says
/// its service is down until a dial succeeds. A request the relay refused
/// itself (`requestRefused`) is listed answered by the relay.
@Suite(.spawnsProcesses, .serialized) struct LocalServiceDownTests {
    @Test(.timeLimit(.minutes(10)))
    func the502IsListedAndTheServiceShownDownUntilADialSucceeds() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let deadPort = try Ports.free()
        let relay = try await RelayFixture.start()
        try await relay.withAgent(mappings: [.http("web", deadPort)]) { agent in
            let url = try await agent.watcher.online("web")
            let refused = try await Tools.curl(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "\(url)/missing"])
            #expect(refused.output == "502")
            let down = try #require(await agent.mapping("web"))
            #expect(down.state == .online)
            #expect(down.localServiceDown)
            let record = try #require(down.recentRequests.first { $0.path == "/missing" }, "\(down.recentRequests)")
            #expect(record.status == 502)
            #expect(record.answeredBy == .agent)

            // Point the mapping at the running service: the next dial succeeds.
            _ = try agent.store.updateMappings { file in
                file.mappings = [.http("web", local.port)]
            }
            var page = (status: Int32(-1), output: "")
            for _ in 0..<50 {
                page = try await Tools.curl(["-sS", "\(url)/"])
                if page.output == "hello from the local service\n" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(page.output == "hello from the local service\n")
            let up = try #require(await agent.mapping("web"))
            #expect(!up.localServiceDown)
            #expect(up.recentRequests.first { $0.path == "/" }?.answeredBy == .localService)
        }
    }

    @Test func aRequestTheRelayRefusedIsListedAnsweredByTheRelay() {
        let stats = MappingStats()
        stats.requestRefusedByRelay(RefusedRequest(name: "web", status: 401, method: "GET", target: "/", visitor: "1.2.3.4:5555"))
        var snapshot = MappingSnapshot(mapping: .http("web", 1), tunnel: "local", state: .online)
        stats.fill(&snapshot)
        let record = snapshot.recentRequests.first
        #expect(record?.status == 401)
        #expect(record?.answeredBy == .relay)
        #expect(record?.visitor == "1.2.3.4:5555")
        #expect(record?.method == "GET" && record?.path == "/")
    }
}
