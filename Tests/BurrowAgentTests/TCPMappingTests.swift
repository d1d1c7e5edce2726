import BurrowTestSupport
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// TCP mappings in process, and mapping changes applied while visitors are connected.
@Suite(.spawnsProcesses) struct TCPMappingTests {
    @Test(.timeLimit(.minutes(10)))
    func carriesAnEchoExchangeWithHalfClose() async throws {
        let echo = try await EchoServer()
        let relay = try await RelayFixture.start()
        try await relay.withAgent(mappings: [.tcp("echo", echo.port)], alsoStop: { await echo.stop() }) { agent in
            let url = try await agent.watcher.online("echo")
            #expect(url.scheme == "tcp")
            let port = try #require(url.port)
            #expect(relay.portRange.contains(port))
            let message = Array((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let reply = try await BlockingSocket.exchange(port: port, message)  // with a half-close
            #expect(reply == message)
            try await Task.sleep(for: .milliseconds(200))
            let snapshot = try #require(await agent.mapping("echo"))
            #expect(snapshot.totalVisitors == 1)
            #expect(snapshot.bytesIn == UInt64(message.count))
            #expect(snapshot.bytesOut == UInt64(message.count))
            #expect(snapshot.recentRequests.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func addingAndRemovingMappingsKeepsOtherConnectionsOpen() async throws {
        let echo = try await EchoServer()
        let relay = try await RelayFixture.start()
        try await relay.withAgent(mappings: [.tcp("first", echo.port)], alsoStop: { await echo.stop() }) { agent in
            let firstURL = try await agent.watcher.online("first")
            let firstPort = try #require(firstURL.port)
            let visitor = try BlockingSocket(port: firstPort)
            try visitor.send("one\n")
            #expect(try visitor.read(count: 4) == Array("one\n".utf8))

            // Another process adds a mapping to mappings.json while `first` has a visitor.
            let seen = agent.watcher.events.count
            _ = try agent.store.addMapping(protocol: .tcp, local: LocalAddress(port: echo.port), name: "second",
                                           remotePort: nil, profile: nil, enabled: true)
            let secondURL = try await agent.watcher.online("second", after: seen)
            #expect(secondURL != firstURL)
            try visitor.send("two\n")
            #expect(try visitor.read(count: 4) == Array("two\n".utf8))

            // Disabling and removing `second` leaves `first`'s visitor alone too.
            _ = try agent.store.setMapping(named: "second", enabled: false)
            try await agent.watcher.waitFor(after: seen, "disabled second") { $0 == .disabled(mapping: "second") }
            _ = try agent.store.removeMapping(named: "second")
            try await Task.sleep(for: .milliseconds(600))
            try visitor.send("three\n")
            #expect(try visitor.read(count: 6) == Array("three\n".utf8))
            #expect(await agent.mapping("second") == nil)
            let first = try #require(await agent.mapping("first"))
            #expect(first.openVisitors == 1)
            #expect(first.state == .online)
            // The event stream never said `first` went anywhere.
            #expect(!agent.watcher.events.contains(.removed(mapping: "first")))
        }
    }
}
