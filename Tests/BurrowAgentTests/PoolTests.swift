import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// Issue 16 part 1, for real: a relay in this process, agents (in-process
/// engines and a stock OpenSSH `ssh -R`), python local services that answer
/// their own name, curl as the visitor.
@Suite(.spawnsProcesses, .serialized) struct PoolTests {
    /// An agent in its own directory holding `identity` (a copy of another
    /// agent's key, so both are the same key), or a key of its own.
    static func agent(_ relay: RelayFixture, _ mappings: [Mapping], sharing identity: AgentFixture? = nil) throws -> AgentFixture {
        let directory = try TestDirectory("burrow-pool-agent")
        if let identity {
            for file in [Identity.fileName, Identity.publicFileName] {
                let text = try String(contentsOfFile: identity.directory.file(file), encoding: .utf8)
                try directory.write(file, text, mode: file == Identity.fileName ? 0o600 : 0o644)
            }
        }
        return try AgentFixture(relay: relay, mappings: mappings, directory: directory)
    }

    static func pooled(_ mapping: Mapping) -> Mapping {
        var mapping = mapping
        mapping.pool = true
        return mapping
    }

    /// Waits (bounded) until `agent` shows `name`'s pool as `size`.
    static func waitForPool(_ agent: AgentFixture, _ name: String, _ size: PoolSize, timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last: PoolSize?
        while clock.now < deadline {
            last = await agent.mapping(name)?.pool
            if last == size { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("pool of \(name) never became \(size.description); last \(last?.description ?? "none")")
    }

    /// `count` requests, `parallel` at a time, each a new connection; the bodies (or "ERR status").
    static func visit(_ url: String, count: Int, parallel: Int = 1) async throws -> [String] {
        // One short echo per request: parallel answers never interleave in the pipe.
        let curl = "curl -s --max-time 20 -H 'Connection: close' -w ' %{http_code}' '\(url)' | tr -d '\\n'"
        let script = "seq \(count) | xargs -P \(parallel) -I{} sh -c \"echo \\\"\\$(\(curl))\\\"\""
        let result = try await TestProcess.run("/bin/sh", ["-c", script], timeout: .seconds(300))
        return result.text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, parts[1] == "200" else { return "ERR \(line.suffix(60))" }
            return String(parts[0])
        }
    }

    static func errors(_ bodies: [String]) -> [String] { bodies.filter { $0.hasPrefix("ERR") } }

    static func tally(_ bodies: [String]) -> [String: Int] {
        bodies.reduce(into: [:]) { $0[$1.hasPrefix("ERR") ? "ERR" : $1, default: 0] += 1 }
    }

    static func sshR(_ relay: RelayFixture, identityOf agent: AgentFixture, _ forward: String) throws -> TestProcess {
        try sshR(relay, key: agent.directory.file(Identity.fileName), forward)
    }

    static func sshR(_ relay: RelayFixture, key: String, _ forward: String) throws -> TestProcess {
        try TestProcess("/usr/bin/env", [
            "ssh", "-N", "-p", String(relay.endpoints.sshPort), "-i", key,
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "ExitOnForwardFailure=yes", "-o", "IdentitiesOnly=yes", "-o", "ServerAliveInterval=5",
            "-R", forward, "pool@127.0.0.1",
        ], output: .combined)
    }

    @Test(.timeLimit(.minutes(10)))
    func twoAgentsAndAStockSSHShareANameAndVisitorsSurviveAMemberLeaving() async throws {
        let a = try await PoolMemberServer("A")
        let b = try await PoolMemberServer("B")
        let c = try await PoolMemberServer("C")
        var restarted: PoolMemberServer?
        defer { a.stop(); b.stop(); c.stop(); restarted?.stop() }
        let relay = try await RelayFixture.start()
        let first = try Self.agent(relay, [Self.pooled(.http("web", a.port))])
        await first.start()
        let url = try await first.watcher.online("web")
        let second = try Self.agent(relay, [Self.pooled(.http("web", b.port))], sharing: first)
        await second.start()
        // A plain `ssh -R` of the same key joins the pool that exists.
        let ssh = try Self.sshR(relay, identityOf: first, "web:80:127.0.0.1:\(c.port)")
        defer { _ = ssh.stop(signal: SIGKILL) }
        try await withCleanup {
            try await Self.waitForPool(first, "web", PoolSize(online: 3, members: 3))
            try await Self.waitForPool(second, "web", PoolSize(online: 3, members: 3))

            // One at a time: least open is a tie every time, so round-robin.
            let spread = Self.tally(try await Self.visit(url.description + "/", count: 99))
            #expect(spread["ERR"] == nil, "\(spread)")
            for member in ["A", "B", "C"] { #expect((spread[member] ?? 0) >= 25, "\(spread)") }

            // kill -9 the stock ssh member under load: only its in-flight visitors may fail.
            async let load = Self.visit(url.description + "/", count: 200, parallel: 4)
            try await Task.sleep(for: .milliseconds(300))
            _ = ssh.stop(signal: SIGKILL)
            let answers = try await load
            let underKill = Self.tally(answers)
            let failed = underKill["ERR"] ?? 0
            // At most the 4 in flight on the killed member (parallelism 4).
            #expect(failed <= 4, "\(underKill) \(Self.errors(answers))")
            print("pool kill -9 under load: \(underKill)")
            try await Self.waitForPool(first, "web", PoolSize(online: 2, members: 2))

            // B's local service stops: its member leaves, no visitor sees a 502.
            b.stop()
            let withoutB = Self.tally(try await Self.visit(url.description + "/", count: 40, parallel: 2))
            #expect(withoutB["ERR"] == nil, "\(withoutB)")
            #expect(withoutB["B"] == nil)
            #expect(withoutB["A"] == 40, "\(withoutB)")
            try await Self.waitForPool(first, "web", PoolSize(online: 1, members: 2))
            try await Self.waitForPool(second, "web", PoolSize(online: 1, members: 2))

            // B comes back on its port: the agent's probe sees it, the member rejoins.
            restarted = try await PoolMemberServer("B", port: b.port)
            try await Self.waitForPool(first, "web", PoolSize(online: 2, members: 2))
            let again = Self.tally(try await Self.visit(url.description + "/", count: 20))
            #expect(again["ERR"] == nil, "\(again)")
            #expect((again["B"] ?? 0) >= 8, "\(again)")
        } cleanup: {
            await second.stop()
            await first.stop()
            await relay.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aNonPoolRegistrationOrAForeignKeyIsRefusedWithAReason() async throws {
        let a = try await PoolMemberServer("A")
        defer { a.stop() }
        let relay = try await RelayFixture.start()
        let first = try Self.agent(relay, [Self.pooled(.http("shop", a.port))])
        await first.start()
        let url = try await first.watcher.online("shop")
        let sameKeyNoPool = try Self.agent(relay, [.http("shop", a.port)], sharing: first)
        let foreign = try Self.agent(relay, [Self.pooled(.http("shop", a.port))])
        try await withCleanup {
            await sameKeyNoPool.start()
            let refusal = try await sameKeyNoPool.watcher.error(.mapping("shop"), containing: "pooled on this relay")
            #expect(refusal.message.contains("--pool"), "\(refusal.message)")
            await foreign.start()
            _ = try await foreign.watcher.error(.mapping("shop"), containing: "another key")
            // The pool still has its one member and still serves.
            try await Self.waitForPool(first, "shop", PoolSize(online: 1, members: 1))
            #expect(Self.tally(try await Self.visit(url.description + "/", count: 5)) == ["A": 5])
        } cleanup: {
            await foreign.stop()
            await sameKeyNoPool.stop()
            await first.stop()
            await relay.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func keysOfOneBurrowOwnerShareAPoolAndAnotherOwnerCannotJoin() async throws {
        let a = try await PoolMemberServer("A")
        let b = try await PoolMemberServer("B")
        defer { a.stop(); b.stop() }
        let state = try TestDirectory("burrow-relay")
        let relay = try await RelayFixture.start(allowAnyKey: false, state: state)
        let alice = try Self.agent(relay, [Self.pooled(.http("team", a.port))])
        let bob = try Self.agent(relay, [Self.pooled(.http("team", b.port))])
        let mallory = try Self.agent(relay, [Self.pooled(.http("team", b.port))])
        let lines = [
            "burrow-owner=\"team\" \(try alice.identity.publicKeyLine)",
            "no-pty,burrow-owner=\"team\" \(try bob.identity.publicKeyLine)",
            try mallory.identity.publicKeyLine,
        ]
        try state.write("authorized_keys", lines.joined(separator: "\n") + "\n", mode: 0o600)
        try await withCleanup {
            await alice.start()
            let url = try await alice.watcher.online("team")
            await bob.start()
            _ = try await bob.watcher.online("team")
            try await Self.waitForPool(alice, "team", PoolSize(online: 2, members: 2))
            let spread = Self.tally(try await Self.visit(url.description + "/", count: 20))
            #expect(spread == ["A": 10, "B": 10], "\(spread)")
            await mallory.start()
            _ = try await mallory.watcher.error(.mapping("team"), containing: "another key")
            try await Self.waitForPool(alice, "team", PoolSize(online: 2, members: 2))
        } cleanup: {
            await mallory.stop()
            await bob.stop()
            await alice.stop()
            await relay.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aTCPPortIsPooledAndOutlivesTheMemberThatBoundIt() async throws {
        let a = try await PoolMemberServer("A")
        let b = try await PoolMemberServer("B")
        defer { a.stop(); b.stop() }
        let relay = try await RelayFixture.start()
        let port = relay.portRange.lowerBound + 7
        let first = try Self.agent(relay, [Self.pooled(.tcp("db", a.port, remotePort: port))])
        await first.start()
        _ = try await first.watcher.online("db")
        let second = try Self.agent(relay, [Self.pooled(.tcp("db", b.port, remotePort: port))], sharing: first)
        try await withCleanup {
            await second.start()
            _ = try await second.watcher.online("db")
            try await Self.waitForPool(first, "db", PoolSize(online: 2, members: 2))
            let url = "http://127.0.0.1:\(port)/"
            let spread = Self.tally(try await Self.visit(url, count: 20))
            #expect(spread == ["A": 10, "B": 10], "\(spread)")
            // The member whose session bound the listener leaves: the port stays with the other.
            await first.stop()
            try await Self.waitForPool(second, "db", PoolSize(online: 1, members: 1))
            #expect(Self.tally(try await Self.visit(url, count: 5)) == ["B": 5])
        } cleanup: {
            await second.stop()
            await first.stop()
            await relay.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func stockSSHClientsOfAKeyWithBurrowPoolServeOneNameTogether() async throws {
        let a = try await PoolMemberServer("A")
        let b = try await PoolMemberServer("B")
        defer { a.stop(); b.stop() }
        let keys = try TestDirectory("burrow-pool-keys")
        defer { keys.remove() }
        let made = try await TestProcess.run("/usr/bin/env", ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.file("key")])
        #expect(made.exitStatus == 0, "\(made.text)")
        let line = try String(contentsOfFile: keys.file("key.pub"), encoding: .utf8)
        let state = try TestDirectory("burrow-relay")
        try state.write("authorized_keys", "burrow-pool \(line)", mode: 0o600)
        let relay = try await RelayFixture.start(allowAnyKey: false, state: state)
        let first = try Self.sshR(relay, key: keys.file("key"), "both:80:127.0.0.1:\(a.port)")
        let second = try Self.sshR(relay, key: keys.file("key"), "both:80:127.0.0.1:\(b.port)")
        defer { _ = first.stop(signal: SIGKILL); _ = second.stop(signal: SIGKILL) }
        try await withCleanup {
            let url = "http://both.localhost:\(relay.endpoints.httpPort)/"
            // Both forwards granted, then the pool of two takes turns.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            var spread: [String: Int] = [:]
            while clock.now < deadline {
                spread = Self.tally(try await Self.visit(url, count: 10))
                if spread == ["A": 5, "B": 5] { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(spread == ["A": 5, "B": 5], "\(spread)")
        } cleanup: {
            await relay.stop()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aBurrowUpProcessKilledMidLoadLosesOnlyItsInFlightVisitors() async throws {
        let a = try await PoolMemberServer("A")
        let b = try await PoolMemberServer("B")
        defer { a.stop(); b.stop() }
        let relay = try await RelayFixture.start()
        let first = try Self.agent(relay, [Self.pooled(.http("web", a.port))])
        await first.start()
        let url = try await first.watcher.online("web")
        // A `burrow up` process with the same key, through a profile aimed at the relay.
        let config = try TestDirectory("burrow-pool-up")
        defer { config.remove() }
        for file in [Identity.fileName, Identity.publicFileName] {
            let text = try String(contentsOfFile: first.directory.file(file), encoding: .utf8)
            try config.write(file, text, mode: file == Identity.fileName ? 0o600 : 0o644)
        }
        let store = ConfigStore(directory: config.path)
        try store.updateConfig { config in
            config.profiles.append(Profile(name: "test", host: "127.0.0.1", sshPort: relay.endpoints.sshPort))
            config.selectedProfile = "test"
        }
        _ = try store.addMapping(
            protocol: .http, local: LocalAddress(port: b.port), name: "web", remotePort: nil, profile: nil, enabled: true, pool: true)
        let up = try TestProcess(BurrowBinary.path, ["up", "--json", "--config-dir", config.path], output: .combined)
        defer { _ = up.stop(signal: SIGKILL) }
        try await withCleanup {
            try await Self.waitForPool(first, "web", PoolSize(online: 2, members: 2))
            #expect(Self.tally(try await Self.visit(url.description + "/", count: 10)) == ["A": 5, "B": 5])
            async let load = Self.visit(url.description + "/", count: 200, parallel: 4)
            try await Task.sleep(for: .milliseconds(300))
            _ = up.stop(signal: SIGKILL)
            let answers = try await load
            let spread = Self.tally(answers)
            print("pool burrow up kill -9 under load: \(spread)")
            // Only what was in flight on the killed agent may fail (4 at a time).
            #expect((spread["ERR"] ?? 0) <= 4, "\(spread) \(Self.errors(answers))")
            #expect((spread["A"] ?? 0) >= 150, "\(spread)")
            try await Self.waitForPool(first, "web", PoolSize(online: 1, members: 1))
        } cleanup: {
            await first.stop()
            await relay.stop()
        }
    }
}
