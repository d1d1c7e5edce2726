import BurrowTestSupport
@testable import BurrowAgent
import BurrowConfig
import BurrowCore
import Testing

/// Issue 11 item 6 (relay side): a request the relay refuses itself (here 401
/// for basic auth) reaches the agent's request list, answered by the relay.
@Suite(.spawnsProcesses) struct RelayRefusalReportTests {
    @Test(.timeLimit(.minutes(10)))
    func aBasicAuthRefusalIsListedAnsweredByTheRelay() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let auth = try BasicAuthRule.hashing(user: "alice", password: "s3:cret")
        let relay = try await RelayFixture.start()
        try await relay.withAgent(mappings: [Mapping(name: "private", protocol: .http, local: LocalAddress(port: local.port), basicAuth: auth)]) { agent in
            let url = try await agent.watcher.online("private")
            let refused = try await Tools.curl(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "\(url)/secret?x=1"])
            #expect(refused.output == "401")
            var record: HTTPRequestRecord?
            for _ in 0..<100 {
                record = await agent.mapping("private")?.recentRequests.first { $0.path.hasPrefix("/secret") }
                if record != nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let listed = try #require(record, "the relay's 401 never reached the agent's request list")
            #expect(listed.status == 401)
            #expect(listed.answeredBy == .relay)
            #expect(listed.method == "GET")
            #expect(listed.visitor?.hasPrefix("127.0.0.1:") == true)
        }
    }
}
