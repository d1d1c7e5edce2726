import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// Issue 16 part 2, the agent's side, for real: three independent `burrow
/// serve` relays on 127.0.0.1, a profile naming them as a fleet, `burrow up`
/// holding one connection to each, a python local service, curl as the
/// visitor through each relay's HTTP port.
@Suite(.spawnsProcesses, .serialized) struct FleetTests {
    /// `count` requests alternating over `ports` (one curl each, sequential);
    /// the lines "PORT CODE BODY".
    static func visit(ports: [Int], rounds: Int) async throws -> [String] {
        let curls = ports.map { port in
            "echo \"\(port) $(curl -s --max-time 10 -H 'Connection: close' -w ' %{http_code}' http://web.localhost:\(port)/ | tr -d '\\n')\""
        }.joined(separator: "; ")
        let script = "for i in $(seq \(rounds)); do \(curls); done"
        let result = try await TestProcess.run("/bin/sh", ["-c", script], timeout: .seconds(240))
        return result.text.split(separator: "\n").map(String.init)
    }

    static func failures(_ lines: [String]) -> [String] {
        lines.filter { !$0.hasSuffix("hello from the local service 200") }
    }

    @Test(.timeLimit(.minutes(10)))
    func everyMappingOnEveryRelayAndAKilledRelayLosesNothingElse() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let fleet = try FleetRelays(count: 3)
        defer { fleet.remove() }
        for index in 0..<3 { try await fleet.serve(index) }
        let members = fleet.members
        _ = try fleet.store.addProfile(Profile(name: "prod", host: "127.0.0.1", sshPort: members[0].sshPort,
                                               fleet: [members[1].endpoint, members[2].endpoint]))
        _ = try fleet.store.addMapping(protocol: .http, local: LocalAddress(port: local.port), name: "web",
                                       remotePort: nil, profile: nil, enabled: true)
        let up = try fleet.up()

        // Online on 3/3: `burrow up` says so, the status carries every relay.
        try await up.waitForOutput("web  online on 3/3 relays")
        let full = try await fleet.waitForStatus("web on 3/3") { FleetFlagCheck.is3of3($0) }
        #expect(FleetRelays.memberStates(full) == Dictionary(uniqueKeysWithValues: members.map { ($0.endpoint, "online") }))
        let tunnel = (full["tunnels"] as? [[String: Any]])?.first
        #expect((tunnel?["relays"] as? [String: Any])?["serving"] as? Int == 3)
        #expect(tunnel?["relay"] as? String == members[0].endpoint)
        // The URL shown is the primary's.
        let mapping = (full["mappings"] as? [[String: Any]])?.first
        #expect(mapping?["url"] as? String == "http://web.localhost:\(members[0].httpPort)")

        // `burrow status` in words: the tunnel, one row per relay, the mapping.
        let text = try await TestProcess.run(BurrowBinary.path, ["status", "--config-dir", fleet.config.path], timeout: .seconds(20)).text
        let rows = text.split(separator: "\n")
        #expect(rows.contains { $0.hasPrefix("prod ") && $0.contains("online · 3/3 relays") && $0.contains(members[0].endpoint) }, "\(text)")
        for member in members {
            #expect(rows.contains { $0.hasPrefix("  relay ") && $0.contains(" online ") && $0.contains(member.endpoint) }, "\(text)")
        }
        #expect(rows.contains { $0.hasPrefix("web ") && $0.contains("online · 3/3 relays") && $0.contains("http://web.localhost:\(members[0].httpPort)") },
                "\(text)")

        // Every relay serves the mapping, and the visitors add up in one place.
        let first = try await Self.visit(ports: members.map(\.httpPort), rounds: 2)
        #expect(first.count == 6 && Self.failures(first).isEmpty, "\(first)")
        try await fleet.waitForStatus("6 visitors") { status in
            ((status["mappings"] as? [[String: Any]])?.first?["totalVisitors"] as? Int ?? 0) >= 6
        }

        // kill -9 the second relay under load through the other two: no request fails.
        let survivors = [members[0].httpPort, members[2].httpPort]
        async let load = Self.visit(ports: survivors, rounds: 40)
        try await Task.sleep(for: .milliseconds(300))
        fleet.kill9(1)
        let underKill = try await load
        print("fleet kill -9 of one relay under load: \(underKill.count) requests, \(Self.failures(underKill).count) failed")
        #expect(underKill.count == 80)
        #expect(Self.failures(underKill).isEmpty, "\(Self.failures(underKill))")

        let degraded = try await fleet.waitForStatus("web on 2/3") { status in
            FleetRelays.relays(status, mapping: "web").map { $0 == (2, 3) } ?? false
        }
        #expect(FleetRelays.memberStates(degraded)[members[1].endpoint] != "online")
        #expect(FleetRelays.memberStates(degraded)[members[0].endpoint] == "online")
        try await up.waitForOutput("web  online on 2/3 relays")
        let still = try await Self.visit(ports: survivors, rounds: 3)
        #expect(Self.failures(still).isEmpty, "\(still)")

        // Back on the same ports: 3/3 again within the backoff, and it serves.
        let restarted = ContinuousClock.now
        try await fleet.serve(1)
        try await fleet.waitForStatus("web back on 3/3", timeout: .seconds(45)) { FleetFlagCheck.is3of3($0) }
        print("fleet: the restarted relay served again after \(ContinuousClock.now - restarted)")
        let back = try await Self.visit(ports: [members[1].httpPort], rounds: 3)
        #expect(Self.failures(back).isEmpty, "\(back)")

        // The primary dies: the fleet still serves, the tunnel stays online and
        // the URL shown is a serving member's until the primary is back.
        fleet.kill9(0)
        let noPrimary = try await fleet.waitForStatus("web on 2/3 without the primary") { status in
            FleetRelays.relays(status, mapping: "web").map { $0 == (2, 3) } ?? false
        }
        let tunnelState = (noPrimary["tunnels"] as? [[String: Any]])?.first?["state"] as? String
        #expect(tunnelState == "online")
        let shown = (noPrimary["mappings"] as? [[String: Any]])?.first?["url"] as? String
        #expect(shown != "http://web.localhost:\(members[0].httpPort)" && shown?.hasPrefix("http://web.localhost:") == true, "\(String(describing: shown))")
        let others = try await Self.visit(ports: [members[1].httpPort, members[2].httpPort], rounds: 2)
        #expect(Self.failures(others).isEmpty, "\(others)")
    }
}

/// The status checks the fleet test polls for.
enum FleetFlagCheck {
    static func is3of3(_ status: [String: Any]) -> Bool {
        guard let relays = FleetRelays.relays(status, mapping: "web"), relays == (3, 3) else { return false }
        return FleetRelays.memberStates(status).values.allSatisfy { $0 == "online" }
    }
}
