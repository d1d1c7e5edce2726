import BurrowTestSupport
import BurrowAgent
import BurrowCore
import Foundation
import Testing

/// Issue 11 item 1: a mapping switched off and on again, while siblings keep
/// its tunnel open, must come back with the same state and URL (the disable
/// used to send no `cancel-tcpip-forward`, so the re-enable was refused as
/// "already forwarded on this connection").
@Suite(.spawnsProcesses, .serialized) struct MappingToggleTests {
    @Test(.timeLimit(.minutes(10)))
    func togglingWithSiblingsEndsOnlineWithTheSameURL() async throws {
        let local = try await LocalHTTPServer(bigBytes: 16)
        defer { local.stop() }
        let echo = try await EchoServer()
        let relay = try await RelayFixture.start()
        try await relay.withAgent(mappings: [
            .http("web", local.port),
            .http("site", local.port),
            .tcp("echo", echo.port),
        ], alsoStop: { await echo.stop() }) { agent in
            var urls: [String: PublicURL] = [:]
            for name in ["web", "site", "echo"] { urls[name] = try await agent.watcher.online(name) }

            for round in 0..<3 {
                for name in ["web", "echo"] {
                    let seen = agent.watcher.events.count
                    _ = try agent.store.setMapping(named: name, enabled: false)
                    try await agent.watcher.waitFor(after: seen, "disabled \(name)") { $0 == .disabled(mapping: name) }
                    let again = agent.watcher.events.count
                    _ = try agent.store.setMapping(named: name, enabled: true)
                    let url = try await agent.watcher.online(name, after: again)
                    #expect(url == urls[name], "round \(round): \(name) came back at \(url)")
                    let refusals = agent.watcher.events[seen...].filter {
                        if case .error(name, _) = $0 { return true }
                        return false
                    }
                    #expect(refusals.isEmpty, "round \(round): \(refusals.map(\.humanLine))")
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            for name in ["web", "site", "echo"] {
                let snapshot = try #require(await agent.mapping(name))
                #expect(snapshot.state == .online, "\(name): \(snapshot.state)")
                #expect(snapshot.publicURL == urls[name])
            }
            let page = try await Tools.curl(["-sS", "\(try #require(urls["web"]))/"])
            #expect(page.status == 0)
            #expect(page.output == "hello from the local service\n")
            let visitor = try BlockingSocket(port: try #require(urls["echo"]?.port))
            try visitor.send("back\n")
            #expect(try visitor.read(count: 5) == Array("back\n".utf8))
        }
    }
}
