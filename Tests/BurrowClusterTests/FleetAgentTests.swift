import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// The whole of issue 16 part 2 at once, as a team would run it: three
/// `burrow serve --cluster` members sharing PostgreSQL behind HAProxy, one
/// `burrow up` whose profile names only the first member (it learns the
/// others from the relays' `fleet` message and holds a connection to each),
/// its mapping pooled with a stock `ssh -R` of the same key on every member;
/// `wrk` through HAProxy while a member is `kill -9`ed and restarted (the
/// agent reconnects by itself) and then while the `burrow up` agent itself
/// is `kill -9`ed (the `ssh -R` members keep the name served).
@Suite("burrow up on a fleet behind HAProxy", .spawnsProcesses, .serialized, .tags(.slow))
struct FleetAgentTests {
    @Test("an agent learns the fleet from one member, serves on all, and only in-flight requests fail when a member or the agent dies")
    func burrowUpOnAFleet() async throws {
        try await FleetKit.scene { kit, database in
            let config = ConfigStore(directory: kit.directory + "/agent")
            let identity = try config.identity(for: nil)
            kit.authorize(identity.publicKeyLine)
            let fromAgent = try await kit.site(index: "from burrow up")
            let fromSSH = try await kit.site(index: "from ssh -R")
            let ports = try (0..<3).map { _ in try kit.ports() }
            // Every visitor arrives from HAProxy's 127.0.0.1: no per-IP rate limit.
            let settings = #"{"version": 1, "limits": {"newConnectionsPerSecondPerIP": 1000000}}"#
            var members: [TestProcess] = []
            for (index, member) in ports.enumerated() {
                members.append(try await kit.member("m\(index)", cluster: database.url, ports: member, relayJSON: settings))
            }

            // The profile names one member; the pooled mapping goes up on all three.
            _ = try config.addProfile(Profile(name: "team", host: "127.0.0.1", sshPort: ports[0].ssh))
            _ = try config.addMapping(
                protocol: .http, local: LocalAddress(port: fromAgent), name: "web", remotePort: nil, profile: nil, enabled: true)
            try Self.pool(config, "web")
            // `burrow up` prints the URLs on stdout, the fleet's news ("web  online on 3/3 relays") on stderr.
            let up = kit.track(try TestProcess(FleetKit.burrowBinary, ["up", "--config-dir", config.directory]))
            try #require(
                await FleetKit.eventually(.seconds(60)) { up.stderr.contains("web  online on 3/3 relays") },
                "burrow up never reached 3/3 relays:\n\(up.stdout)\n\(up.stderr)")

            // A stock ssh -R of the same key joins the pool on every member.
            let key = config.directory + "/" + Identity.fileName
            var sshAgents: [TestProcess] = []
            for member in ports {
                sshAgents.append(try kit.ssh(key: key, port: member.ssh, forwards: ["web:80:127.0.0.1:\(fromSSH)"]))
            }
            for member in ports {
                var seen = Set<String>()
                let both = try await FleetKit.eventually(.seconds(20)) {
                    seen.insert(try await kit.curl(port: member.http, host: "web.localhost").body)
                    return seen.isSuperset(of: ["from burrow up", "from ssh -R"])
                }
                #expect(both, "member on \(member.http) served only \(seen)\n\(members.map(\.stderr).joined(separator: "\n---\n"))\n\(up.stderr)")
            }

            let front = try FreePorts.take(1)[0]
            let haproxyConfig = kit.directory + "/haproxy.cfg"
            try HAProxyConfig.text(front: front, members: ports).write(toFile: haproxyConfig, atomically: true, encoding: .utf8)
            let haproxy = kit.track(try TestProcess("/usr/sbin/haproxy", ["-db", "-f", haproxyConfig]))
            #expect(
                try await FleetKit.eventually { !(try await kit.curl(port: front, host: "web.localhost").body.isEmpty) },
                "\(haproxy.stderr)")

            // 1. A member dies under load and comes back: the agent reconnects by itself.
            let firstLoad = kit.track(try TestProcess(
                "wrk", ["-t", "2", "-c", "6", "-d", "10s", "--timeout", "3s", "-H", "Host: web.localhost", "http://127.0.0.1:\(front)/"]))
            try await Task.sleep(for: .seconds(2))
            members[1].kill()
            sshAgents[1].kill()
            #expect(await FleetKit.eventually { up.stderr.contains("web  online on 2/3 relays") }, "\(up.stderr)")
            try await Task.sleep(for: .seconds(2))
            let restarted = ContinuousClock.now
            members[1] = try await kit.member("m1", cluster: database.url, ports: ports[1], relayJSON: settings)
            let backOnThree = await FleetKit.eventually(.seconds(45)) {
                up.stderr.components(separatedBy: "web  online on 3/3 relays").count >= 3
            }
            #expect(backOnThree, "the agent never came back on the restarted member:\n\(up.stderr)")
            #expect(try await FleetKit.eventually { try await kit.curl(port: ports[1].http, host: "web.localhost").body == "from burrow up" })
            let rejoined = ContinuousClock.now - restarted
            sshAgents[1] = try kit.ssh(key: key, port: ports[1].ssh, forwards: ["web:80:127.0.0.1:\(fromSSH)"])
            _ = try await firstLoad.wait(timeout: .seconds(40))
            let memberKill = WrkReport(firstLoad.stdout)

            // 2. The burrow up agent dies under load: the ssh -R members keep serving.
            let secondLoad = kit.track(try TestProcess(
                "wrk", ["-t", "2", "-c", "6", "-d", "6s", "--timeout", "3s", "-H", "Host: web.localhost", "http://127.0.0.1:\(front)/"]))
            try await Task.sleep(for: .seconds(2))
            up.kill()
            for member in ports {
                #expect(
                    try await FleetKit.eventually { try await kit.curl(port: member.http, host: "web.localhost").body == "from ssh -R" },
                    "member on \(member.http) stopped serving web")
            }
            _ = try await secondLoad.wait(timeout: .seconds(40))
            let agentKill = WrkReport(secondLoad.stdout)

            print("""
                fleet + burrow up (3 members behind HAProxy, wrk -c 6): member kill -9 then restart: \(memberKill.requests) requests, \
                \(memberKill.failed) failed, the agent back on the member \(rejoined) after its restart; \
                burrow up kill -9: \(agentKill.requests) requests, \(agentKill.failed) failed
                """)
            #expect(memberKill.requests > 100 && agentKill.requests > 50, "\(firstLoad.stdout)\n\(secondLoad.stdout)")
            // Only what was in flight may fail: at most one per wrk connection each time.
            #expect(memberKill.failed <= 6, "\(firstLoad.stdout)")
            #expect(agentKill.failed <= 6, "\(secondLoad.stdout)")
            #expect(!members.contains { $0.stderr.contains(database.password) || $0.stdout.contains(database.password) })
        }
    }

    /// Marks the mapping `name` pool in mappings.json, the way `burrow map edit --pool` would.
    static func pool(_ config: ConfigStore, _ name: String) throws {
        var mapping = try #require(try config.loadMappings().mappings.first { $0.name == name })
        mapping.pool = true
        _ = try config.replaceMapping(named: name, with: mapping)
    }
}
