import BurrowConfig
import BurrowCore
import BurrowRelay
import BurrowTestSupport
import Foundation
import Testing

/// Issue 15: one agent keeps several SSH connections to its relay, each
/// registering every mapping; the relay lets connections of one agent run
/// (same key, same `hello` instance) serve a mapping together and spreads
/// its visitors over them; a lost connection takes only its own visitors,
/// and comes back. Real relay, real agents, real local services, curl and
/// raw sockets as visitors, `ss -K` to cut one connection.
@Suite(.spawnsProcesses, .serialized) struct MultiConnectionTests {
    /// An agent through a profile that asks for `connections` SSH connections
    /// (the profile's `connections` field), in `directory` (e.g. holding another agent's key).
    static func agent(
        _ relay: RelayFixture, _ mappings: [Mapping], connections: Int, directory: TestDirectory? = nil
    ) throws -> AgentFixture {
        let directory = try directory ?? TestDirectory("burrow-multiconn-agent")
        try ConfigStore(directory: directory.path).updateConfig { config in
            config.profiles = [Profile(name: "test", host: "127.0.0.1", sshPort: relay.endpoints.sshPort, connections: connections)]
            config.selectedProfile = "test"
        }
        return try AgentFixture(relay: relay, via: .profile, mappings: mappings, directory: directory)
    }

    /// A new agent directory holding `agent`'s key: another run of the same key.
    static func sameKey(as agent: AgentFixture) throws -> TestDirectory {
        let copy = try TestDirectory("burrow-same-key")
        for file in [Identity.fileName, Identity.publicFileName] {
            let text = try String(contentsOfFile: agent.directory.file(file), encoding: .utf8)
            try copy.write(file, text, mode: file == Identity.fileName ? 0o600 : 0o644)
        }
        return copy
    }

    /// Polls (bounded) until `condition` holds; `what` names it in the failure.
    static func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("never: \(what)")
    }

    /// The relay's sessions holding a forward of `bindHost`.
    static func holders(_ relay: RelayFixture, _ bindHost: String) async -> [RelaySessionSnapshot] {
        await relay.relay.snapshot().sessions.filter { $0.forwards.contains { $0.bindHost == bindHost } }
    }

    /// How many sessions hold `web`, when as many hold `echo` (else -1).
    static func holdersOfBoth(_ relay: RelayFixture) async -> Int {
        let (web, echo) = (await holders(relay, "web").count, await holders(relay, "echo").count)
        return web == echo ? web : -1
    }

    static func forward(_ session: RelaySessionSnapshot, _ bindHost: String) -> RelayForwardSnapshot? {
        session.forwards.first { $0.bindHost == bindHost }
    }

    /// Aborts the TCP connection whose agent end is `peer` (`127.0.0.1:PORT`, as the relay names it).
    static func cut(_ peer: String) async throws {
        let port = try #require(peer.split(separator: ":").last.map(String.init))
        let result = try await TestProcess.run("/usr/bin/env", ["ss", "-K", "src", "127.0.0.1", "sport", "=", ":\(port)"])
        #expect(result.exitStatus == 0, "ss -K failed: \(result.text)")
    }

    @Test(.timeLimit(.minutes(10)))
    func twoConnectionsServeAMappingAndOneLostTakesOnlyItsOwnVisitors() async throws {
        let web = try await PoolMemberServer("A")
        let echo = try await EchoServer()
        let relay = try await RelayFixture.start()
        let agent = try Self.agent(relay, [.http("web", web.port), .tcp("echo", echo.port)], connections: 2)
        try await withCleanup {
            await agent.start()
            let url = try await agent.watcher.online("web")
            _ = try await agent.watcher.online("echo")
            // Both connections hold both mappings, and the agent says 2/2.
            try await Self.eventually("both connections hold web and echo") {
                await Self.holdersOfBoth(relay) == 2
            }
            try await Self.eventually("the tunnel shows 2/2 connections") {
                await agent.engine.snapshot().tunnels.first?.connections == ConnectionCount(up: 2, total: 2)
            }
            // Visitors go through both connections, and the agent counts each once.
            let bodies = try await PoolTests.visit(url.description + "/", count: 40, parallel: 4)
            #expect(PoolTests.errors(bodies).isEmpty, "\(PoolTests.tally(bodies))")
            let served = await Self.holders(relay, "web").map { Self.forward($0, "web")?.totalVisitors ?? 0 }
            #expect(served.count == 2 && served.allSatisfy { $0 > 0 }, "visitors per connection: \(served)")
            #expect(served.reduce(0, +) == 40)
            try await Self.eventually("the agent counted 40 visitors of web") { await agent.mapping("web")?.totalVisitors == 40 }

            // An open TCP visitor, then the other connection is cut.
            let port = try #require(await agent.mapping("echo")?.publicURL?.port)
            let visitor = try BlockingSocket(port: port)
            try visitor.send("one\n")
            #expect(try visitor.read(count: 4) == Array("one\n".utf8))
            var carrying: RelaySessionSnapshot?
            try await Self.eventually("the relay counts the open visitor on one connection") {
                carrying = await Self.holders(relay, "echo").first { Self.forward($0, "echo")?.openVisitors == 1 }
                return carrying != nil
            }
            let other = try #require(await Self.holders(relay, "echo").first { $0.peer != carrying?.peer })
            try await Self.cut(other.peer)
            try await Self.eventually("the relay dropped the cut connection") { await Self.holders(relay, "echo").count == 1 }
            // The open visitor is unharmed, the mapping stays online, new visitors are served.
            try visitor.send("two\n")
            #expect(try visitor.read(count: 4) == Array("two\n".utf8))
            #expect(await agent.mapping("web")?.state == .online)
            #expect(await agent.mapping("echo")?.state == .online)
            let during = try await PoolTests.visit(url.description + "/", count: 10, parallel: 2)
            #expect(PoolTests.errors(during).isEmpty, "\(PoolTests.tally(during))")
            // The lost connection comes back and registers again.
            try await Self.eventually("the cut connection is back with both mappings") {
                await Self.holdersOfBoth(relay) == 2
            }
            try await Self.eventually("the tunnel shows 2/2 connections again") {
                await agent.engine.snapshot().tunnels.first?.connections == ConnectionCount(up: 2, total: 2)
            }
            try visitor.send("three\n")
            #expect(try visitor.read(count: 6) == Array("three\n".utf8))
        } cleanup: {
            await agent.stop()
            await relay.stop()
            await echo.stop()
            web.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func anotherRunOfTheKeyTakesOverAndAnotherKeyIsRefused() async throws {
        let a = try await PoolMemberServer("A")
        let b = try await PoolMemberServer("B")
        let relay = try await RelayFixture.start()
        let first = try Self.agent(relay, [.http("web", a.port)], connections: 2)
        var second: AgentFixture?
        var stranger: AgentFixture?
        try await withCleanup {
            await first.start()
            let url = try await first.watcher.online("web")
            try await Self.eventually("both connections of the first run hold web") { await Self.holders(relay, "web").count == 2 }
            // The same key, another run (a restarted agent): it takes the name over.
            let restarted = try Self.agent(relay, [.http("web", b.port)], connections: 2, directory: try Self.sameKey(as: first))
            second = restarted
            await restarted.start()
            _ = try await restarted.watcher.online("web")
            try await Self.eventually("visitors reach the newer run only") {
                PoolTests.tally(try await PoolTests.visit(url.description + "/", count: 6, parallel: 2)) == ["B": 6]
            }
            // Another key asking for the name is refused.
            let other = try Self.agent(relay, [.http("web", a.port)], connections: 2)
            stranger = other
            await other.start()
            try await Self.eventually("the other key's mapping is refused") {
                if case .refused = await other.mapping("web")?.state { return true }
                return false
            }
            #expect(PoolTests.tally(try await PoolTests.visit(url.description + "/", count: 4)) == ["B": 4])
        } cleanup: {
            await stranger?.stop()
            await second?.stop()
            await first.stop()
            await relay.stop()
            a.stop()
            b.stop()
        }
    }

    /// A stock OpenSSH client on `burrow-control` saying `hello` with `instance` and `connection`.
    static func controlClient(_ relay: RelayFixture, key: String, hello: String) throws -> TestProcess {
        let ssh = [
            "ssh", "-T", "-p", String(relay.endpoints.sshPort), "-i", key, "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "agent@127.0.0.1",
            "burrow-control",
        ].joined(separator: " ")
        // stdin ends after the hello; the relay keeps the channel (half-closed) open.
        return try TestProcess("/bin/sh", ["-c", "printf '%s\\n' '\(hello)' | \(ssh)"])
    }

    @Test(.timeLimit(.minutes(10)))
    func aNewerConnectionOfTheSameNumberReplacesTheRunsOlderOne() async throws {
        let keys = try TestDirectory("burrow-multiconn-keys")
        defer { keys.remove() }
        let made = try await TestProcess.run("/usr/bin/env", ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.file("key")])
        #expect(made.exitStatus == 0, "\(made.text)")
        let log = LogLines()
        // The keepalive watchdog (clients that never ping) must not be what closes a connection here.
        let relay = try await RelayFixture.start(limits: { $0.sshKeepaliveTimeoutSeconds = 600 }, log: log.sink)
        let instance = AgentInstance.random()
        let hello = { (connection: Int) in
            ControlCodec.encode(AgentMessage.hello(agentVersion: "test", instance: instance, connection: connection))
        }
        let first = try Self.controlClient(relay, key: keys.file("key"), hello: hello(0))
        var others: [TestProcess] = []
        try await withCleanup {
            _ = try await first.waitForOutput("welcome")
            // Connection 1 of the same run is a sibling: both stay.
            let sibling = try Self.controlClient(relay, key: keys.file("key"), hello: hello(1))
            others.append(sibling)
            _ = try await sibling.waitForOutput("welcome")
            try await Self.eventually("two sessions") { await relay.relay.snapshot().sessions.count == 2 }
            #expect(first.isRunning)
            // A new connection 0 of the run: the older connection 0 is closed, connection 1 stays.
            let replacement = try Self.controlClient(relay, key: keys.file("key"), hello: hello(0))
            others.append(replacement)
            _ = try await replacement.waitForOutput("welcome")
            try await Self.eventually("the relay replaced the older connection 0") {
                log.text.contains("replaced by a newer connection 0 of the same agent")
            }
            try await Self.eventually("the older connection 0 ended") { !first.isRunning }
            #expect(log.count(containing: "replaced by a newer connection") == 1)
            #expect(sibling.isRunning && replacement.isRunning)
            try await Self.eventually("two sessions again") { await relay.relay.snapshot().sessions.count == 2 }
        } cleanup: {
            for process in others + [first] { _ = process.stop(signal: SIGKILL) }
            await relay.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aThousandMappingsOnTwoConnectionsAllOnline() async throws {
        let local = try await LocalHTTPServer()
        let relay = try await RelayFixture.start(limits: {
            $0.maxMappingsPerKey = 1000
            $0.maxReservationsPerKey = 1000
        })
        let names = (0..<1000).map { "n\($0)" }
        let agent = try Self.agent(relay, names.map { .http($0, local.port) }, connections: 2)
        try await withCleanup {
            let clock = ContinuousClock()
            let started = clock.now
            await agent.start()
            try await Self.eventually("1000 mappings online", timeout: .seconds(300)) {
                await agent.engine.snapshot().mappings.filter { $0.state == .online }.count == 1000
            }
            let online = clock.now - started
            try await Self.eventually("both connections hold all 1000", timeout: .seconds(300)) {
                await relay.relay.snapshot().sessions.map(\.forwards.count) == [1000, 1000]
            }
            print("1000 mappings on 2 connections: all online after \(online), on both after \(clock.now - started)")
            let page = try await Tools.curl(["http://n999.localhost:\(relay.endpoints.httpPort)/"])
            #expect(page.output == "hello from the local service\n")
        } cleanup: {
            await agent.stop()
            await relay.stop()
            local.stop()
        }
    }
}
