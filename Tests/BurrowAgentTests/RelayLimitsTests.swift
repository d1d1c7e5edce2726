import BurrowTestSupport
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation
import Synchronization
import Testing

/// The relay's limits (relay.json), end to end: a real relay, a real agent,
/// real local services and raw visitors on loopback. Each test sets only the
/// limit it checks, low enough to bite at once.
@Suite(.spawnsProcesses) struct RelayLimitsTests {
    static func relayNotice(_ watcher: EventWatcher, _ needle: String) async throws -> String {
        try await watcher.error(.anyone, containing: needle).message
    }

    @Test(.timeLimit(.minutes(10)))
    func maxMappingsPerKeyRefusesTheExtraMappingWithAReason() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let relay = try await RelayFixture.start(limits: { $0.maxMappingsPerKey = 2 })
        try await relay.withAgent(mappings: ["one", "two", "three"].map {
            .http($0, local.port)
        }) { agent in
            // Which one loses depends on the order the agent registers them.
            let refused = try await agent.watcher.error(.anyMapping, containing: "maxMappingsPerKey")
            #expect(refused.line.contains("2 mappings"))
            guard let loser = refused.mapping else { return }
            for name in ["one", "two", "three"] where name != loser {
                _ = try await agent.watcher.online(name)
            }
            guard case .refused = try #require(await agent.mapping(loser)).state else {
                Issue.record("mapping \(loser) is not refused")
                return
            }
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func reservedNamesCannotBeTaken() async throws {
        let relay = try await RelayFixture.start(limits: { $0.reservedNames = ["www", "shop"] }, tlsPort: 0)
        try await relay.withAgent(mappings: [
            .http("shop", 9),
            .http("api", 9),
            // Reserved for TLS passthrough too (the TLS path once skipped the list).
            Mapping(name: "www", protocol: .tls, local: LocalAddress(port: 9)),
        ]) { agent in
            let refused = try await agent.watcher.error(.mapping("shop"), containing: "reserved")
            #expect(refused.line.contains("'shop' is reserved"))
            let refusedTLS = try await agent.watcher.error(.mapping("www"), containing: "reserved")
            #expect(refusedTLS.line.contains("'www' is reserved"))
            // The list in relay.json replaced the default: `api` is free here.
            _ = try await agent.watcher.online("api")
        }
        // And the default list holds `www`, `admin`, `mail`….
        #expect(Set(RelayLimits.defaultReservedNames).isSuperset(of: ["www", "api", "admin", "relay", "mail"]))
    }

    @Test(.timeLimit(.minutes(10)))
    func maxVisitorsPerMappingRefusesWithACloseAndA503AndTellsTheAgent() async throws {
        let echo = try await EchoServer()
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let log = LogLines()
        let relay = try await RelayFixture.start(limits: {
            $0.maxVisitorsPerMapping = 2
            $0.limitReportIntervalSeconds = 600
        }, log: log.sink)
        try await relay.withAgent(mappings: [
            .tcp("echo", echo.port),
            .http("web", local.port),
        ], alsoStop: { await echo.stop() }) { agent in
            let tcpPort = try #require(try await agent.watcher.online("echo").port)
            _ = try await agent.watcher.online("web")
            let httpPort = relay.endpoints.httpPort

            // TCP: two visitors hold their slots; the third is closed at once.
            var held: [BlockingSocket]? = try await Task.detached {
                let visitors = try (0..<2).map { _ in try BlockingSocket(port: tcpPort, timeoutSeconds: 5) }
                for visitor in visitors {
                    try visitor.send("ping")
                    #expect(try visitor.read(count: 4) == Array("ping".utf8))
                }
                return visitors
            }.value
            let third = try await Task.detached {
                let visitor = try BlockingSocket(port: tcpPort, timeoutSeconds: 5)
                try? visitor.send("ping")
                return (try? visitor.readToEnd()) ?? []
            }.value
            #expect(third.isEmpty, "the third TCP visitor was served")
            _ = try await Self.relayNotice(agent.watcher, "maxVisitorsPerMapping")

            // HTTP: two visitors in the middle of a request hold theirs; the third gets a 503 naming the limit.
            // (Kept-alive visitors between requests would give up their slot: RelayKeepAliveTests.)
            let httpHeld = try await Task.detached {
                try (0..<2).map { _ in
                    let socket = try BlockingSocket(port: httpPort, timeoutSeconds: 5)
                    try socket.send("POST /upload HTTP/1.1\r\nHost: web.localhost\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
                    _ = try socket.read(count: 20)  // HTTP/1.1 100 Continue
                    return socket
                }
            }.value
            let page = try await RawVisitor.exchange(port: httpPort, RawVisitor.get(port: httpPort, host: "web.localhost"))
            #expect(page.hasPrefix("HTTP/1.1 503 Service Unavailable"), "\(page.prefix(200))")
            #expect(page.contains("maxVisitorsPerMapping"))

            // Once a slot frees, visitors are served again.
            #expect(held?.count == 2)
            held = nil  // closes the two TCP visitors
            var again: [UInt8] = []
            for _ in 0..<40 where again.isEmpty {
                try await Task.sleep(for: .milliseconds(250))
                again = try await Task.detached {
                    let visitor = try BlockingSocket(port: tcpPort, timeoutSeconds: 5)
                    try? visitor.send("pong")
                    return (try? visitor.read(count: 4)) ?? []
                }.value
            }
            #expect(again == Array("pong".utf8))
            withExtendedLifetime(httpHeld) {}
            // Reported once per interval and mapping (two mappings bit), not once per visitor.
            #expect(log.count(containing: "limit maxVisitorsPerMapping") == 2, "\(log.text)")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func maxVisitorsPerKeyCountsAcrossMappings() async throws {
        let echo = try await EchoServer()
        let relay = try await RelayFixture.start(limits: { $0.maxVisitorsPerKey = 3 })
        try await relay.withAgent(mappings: [
            .tcp("a", echo.port),
            .tcp("b", echo.port),
        ], alsoStop: { await echo.stop() }) { agent in
            let portA = try #require(try await agent.watcher.online("a").port)
            let portB = try #require(try await agent.watcher.online("b").port)
            let (held, fourth) = try await Task.detached {
                var held: [BlockingSocket] = []
                for port in [portA, portB, portA] {
                    let visitor = try BlockingSocket(port: port, timeoutSeconds: 5)
                    try visitor.send("x")
                    _ = try visitor.read(count: 1)
                    held.append(visitor)
                }
                let fourth = try BlockingSocket(port: portB, timeoutSeconds: 5)
                try? fourth.send("x")
                return (held, (try? fourth.readToEnd()) ?? [])
            }.value
            #expect(held.count == 3)
            #expect(fourth.isEmpty, "the fourth visitor of the key was served")
            _ = try await Self.relayNotice(agent.watcher, "maxVisitorsPerKey")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func anIdleVisitorIsClosedAfterTheIdleTimeout() async throws {
        let echo = try await EchoServer()
        let relay = try await RelayFixture.start(limits: { $0.visitorIdleTimeoutSeconds = 0.5 })
        try await relay.withAgent(mappings: [.tcp("echo", echo.port)], alsoStop: { await echo.stop() }) { agent in
            let port = try #require(try await agent.watcher.online("echo").port)
            let (first, rest, elapsed) = try await Task.detached {
                let visitor = try BlockingSocket(port: port, timeoutSeconds: 10)
                try visitor.send("hello")
                let first = try visitor.read(count: 5)
                let started = ContinuousClock.now
                // Silent now: the relay must end it (a live one would block for 10 s).
                let rest = try visitor.readToEnd()
                return (first, rest, ContinuousClock.now - started)
            }.value
            #expect(first == Array("hello".utf8))
            #expect(rest.isEmpty)
            #expect(elapsed < .seconds(5), "closed after \(elapsed)")
            #expect(elapsed >= .milliseconds(400))
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func bandwidthCapSlowsAMappingButDeliversEveryByte() async throws {
        let local = try await LocalHTTPServer(bigBytes: 300_000)
        defer { local.stop() }
        let relay = try await RelayFixture.start(limits: { $0.bandwidthBytesPerSecond = 100_000 })
        try await relay.withAgent(mappings: [.http("capped", local.port)]) { agent in
            let url = try await agent.watcher.online("capped")
            let file = agent.directory.file("down.bin")
            let started = ContinuousClock.now
            let down = try await Tools.curl(["-o", file, "\(url)/big"])
            let elapsed = ContinuousClock.now - started
            #expect(down.status == 0, "\(down.output)")
            #expect(try await Tools.sha256(file) == Tools.sha256(local.bigFile))
            // 300 kB at 100 kB/s, less a quarter-second burst: about 2.75 s (uncapped: milliseconds).
            #expect(elapsed > .seconds(2), "took \(elapsed)")
            #expect(elapsed < .seconds(15), "took \(elapsed)")
        }
    }
}

/// Relay log lines, for counting reports.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var sink: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
    func count(containing needle: String) -> Int { lines.withLock { $0.filter { $0.contains(needle) }.count } }
}
