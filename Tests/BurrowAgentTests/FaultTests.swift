import BurrowTestSupport
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// Faults with nothing lost: dead or frozen agents and relays, takeovers by
/// the same key, slow local services, graceful stops that drain.
@Suite(.spawnsProcesses, .tags(.slow)) struct FaultTests {
    @Test(.timeLimit(.minutes(10)))
    func aFrozenPathIsDetectedOnBothEndsAndTheAgentComesBack() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let log = LogLines()
        let relay = try await RelayFixture.start(limits: { $0.sshKeepaliveTimeoutSeconds = 4 }, log: log.sink)
        let path = try await FreezableProxy(to: relay.endpoints.sshPort)
        defer { path.stop() }
        let agent = try AgentFixture(relay: relay, via: .profile, mappings: [
            .http("web", local.port),
        ], sshPort: path.port, keepalive: .milliseconds(500))
        try await withCleanup {
            await agent.start()
            let url = try await agent.watcher.online("web")
            #expect(try await Tools.curl(["\(url)/"]).output == "hello from the local service\n")

            // The path stops moving bytes; neither TCP connection closes.
            let before = agent.watcher.events.count
            path.freeze()
            let frozenAt = ContinuousClock.now

            // The agent: three unanswered pings → reconnect (well within 30 s).
            try await agent.watcher.error(.tunnel, containing: "stopped answering pings", after: before, timeout: .seconds(30))
            try await agent.watcher.waitFor(after: before, timeout: .seconds(60), "reconnecting") {
                if case .reconnecting = $0 { return true }
                return false
            }
            #expect(ContinuousClock.now - frozenAt < .seconds(30))

            // The relay: the silent agent is dropped and its name answers 502 at once.
            let deadline = ContinuousClock.now + .seconds(30)
            while !log.text.contains("sshKeepaliveTimeoutSeconds"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(log.text.contains("sshKeepaliveTimeoutSeconds"), "\(log.text)")
            let offline = try await Tools.curl(["-w", "%{http_code}", "-o", "/dev/null", "\(url)/"], timeout: .seconds(10))
            #expect(offline.output == "502")
            #expect(await relay.relay.snapshot().sessions.allSatisfy { $0.forwards.isEmpty })

            // The path thaws: the agent is back with the same URL.
            let thawed = agent.watcher.events.count
            path.thaw()
            #expect(try await agent.watcher.online("web", after: thawed, timeout: .seconds(40)) == url)
            // Served again (a retry or two: on a loaded machine the reconnect may go round once more).
            var page = ""
            for _ in 0..<60 where page != "hello from the local service\n" {
                page = try await Tools.curl(["\(url)/"], timeout: .seconds(20)).output
                if page != "hello from the local service\n" { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(page == "hello from the local service\n")
        } cleanup: {
            await agent.stop()
            await relay.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aSlowOrDeadLocalServiceNeverStallsOtherVisitors() async throws {
        let fast = try await LocalHTTPServer()
        defer { fast.stop() }
        // Accepts (the kernel's backlog) and never answers.
        let (silent, silentPort) = try FreePorts.bound()
        defer { close(silent) }
        listen(silent, 128)
        let closedPort = try Ports.free()

        let relay = try await RelayFixture.start()
        let agent = try AgentFixture(relay: relay, mappings: [
            .http("fast", fast.port),
            .http("slow", silentPort),
            .http("down", closedPort),
            .tcp("downtcp", closedPort),
        ], drainTimeout: .zero)  // the stuck visitors need not be waited for at the end
        try await withCleanup {
            await agent.start()
            let fastURL = try await agent.watcher.online("fast")
            let slowURL = try await agent.watcher.online("slow")
            let downURL = try await agent.watcher.online("down")
            let downTCP = try #require(try await agent.watcher.online("downtcp").port)

            // 20 visitors hang on the silent service…
            let slowDone = Locked(false)
            let stuck = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<20 {
                        group.addTask { _ = try await Tools.curl(["--max-time", "40", "\(slowURL)/"], timeout: .seconds(50)) }
                    }
                    try await group.waitForAll()
                }
                slowDone.withLock { $0 = true }
            }
            try await Task.sleep(for: .milliseconds(500))
            // …while the others are all served before any of them gives up.
            for _ in 0..<10 {
                #expect(try await Tools.curl(["\(fastURL)/"]).output == "hello from the local service\n")
            }
            #expect(!slowDone.withLock { $0 })
            // A service that is down: 502 for HTTP, a clean close for TCP.
            let down = try await Tools.curl(["-w", " %{http_code}", "\(downURL)/"])
            #expect(down.output.hasSuffix(" 502"), "\(down.output)")
            let tcp = try await Task.detached { () -> [UInt8] in
                let visitor = try BlockingSocket(port: downTCP, timeoutSeconds: 5)
                try? visitor.send("anyone?")
                // Closed without a byte back. When the relay closes before it has
                // read "anyone?", the kernel turns the close into a reset (RFC 1122
                // §4.2.2.13): that is the same answer, not a failure.
                do { return try visitor.readToEnd() } catch let reset as BlockingSocket.Reset where reset.after == 0 { return [] }
            }.value
            #expect(tcp.isEmpty)
            stuck.cancel()
        } cleanup: {
            await agent.stop()
            await relay.stop()
        }
    }

    /// A 100 MB download started before the stop, paced so the stop lands in the middle.
    static func drainDownload(stop: @escaping @Sendable (RelayFixture, AgentFixture) async -> Void) async throws {
        let local = try await LocalHTTPServer(bigBytes: 100 << 20)
        defer { local.stop() }
        let relay = try await RelayFixture.start()
        try await relay.withAgent(mappings: [.http("files", local.port)], drainTimeout: .seconds(60)) { agent in
            let url = try await agent.watcher.online("files")
            let file = agent.directory.file("down.bin")
            let download = Task {
                try await Tools.curl(["--limit-rate", "40M", "-o", file, "-w", "%{http_code} %{size_download}", "\(url)/big"], timeout: .seconds(90))
            }
            try await Task.sleep(for: .seconds(1))
            let stopped = ContinuousClock.now
            await stop(relay, agent)
            let result = try await download.value
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output == "200 \(100 << 20)", "\(result.output)")
            #expect(try await Tools.sha256(file) == Tools.sha256(local.bigFile))
            // The stop waited for the download (≈2.5 s at 40 MB/s), not the other way round.
            #expect(ContinuousClock.now - stopped > .milliseconds(500))
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aGracefulRelayStopDrainsA100MBDownload() async throws {
        try await Self.drainDownload { relay, _ in await relay.relay.shutdown(drainTimeout: .seconds(60)) }
    }

    @Test(.timeLimit(.minutes(10)))
    func aGracefulAgentStopDrainsA100MBDownload() async throws {
        try await Self.drainDownload { _, agent in await agent.engine.stop() }
    }

    /// A 20 MB download paced at 1 MB/s, stopped after 0.8 s with a 0.3 s drain timeout.
    static func cutDownload(relayDrain: Bool) async throws {
        let local = try await LocalHTTPServer(bigBytes: 20 << 20)
        defer { local.stop() }
        let log = LogLines()
        let relay = try await RelayFixture.start(log: log.sink)
        try await relay.withAgent(mappings: [.http("files", local.port)], drainTimeout: .milliseconds(300)) { agent in
            let url = try await agent.watcher.online("files")
            let download = Task { try await Tools.curl(["--limit-rate", "1M", "-o", "/dev/null", "\(url)/big"], timeout: .seconds(60)) }
            try await Task.sleep(for: .milliseconds(800))
            let stopped = ContinuousClock.now
            if relayDrain {
                await relay.relay.shutdown(drainTimeout: .milliseconds(300))
                #expect(log.text.contains("drain timeout (0.3 seconds) reached: closing 1 visitor connection(s) still open"), "\(log.text)")
            } else {
                await agent.engine.stop()
                try await agent.watcher.error(.tunnel, containing: "drain timeout (0.3 seconds) reached")
            }
            // Sooner than the 20 s the download needs.
            #expect(ContinuousClock.now - stopped < .seconds(18))
            download.cancel()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aRelayDrainTimeoutIsHitAndLogged() async throws {
        try await Self.cutDownload(relayDrain: true)
    }

    @Test(.timeLimit(.minutes(10)))
    func anAgentDrainTimeoutIsHitAndReported() async throws {
        try await Self.cutDownload(relayDrain: false)
    }
}
