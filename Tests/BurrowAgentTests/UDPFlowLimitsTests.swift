import BurrowTestSupport
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// UDP flows are bounded per visitor IP, per mapping and per key (issue 12
/// item 9): one sender spraying source ports gets its oldest idle flows
/// replaced, every new sender is still answered, and the agent never holds
/// more flows (sockets) than the relay's limits. A real relay and agent, a
/// python3 UDP echo service, python3 senders on 127.0.0.1 and ::1.
@Suite(.spawnsProcesses, .serialized, .timeLimit(.minutes(10))) struct UDPFlowLimitsTests {
    /// Opens COUNT sockets one after the other, each sending one datagram
    /// and waiting for its echo, all kept open; prints how many were answered.
    static let sender = TestScripts.read("udp_sender.py")

    static func send(port: Int, count: Int, from address: String) async throws -> Int {
        let directory = try TestDirectory("burrow-udp-sender")
        defer { directory.remove() }
        try directory.write("sender.py", Self.sender)
        let run = try await TestProcess.run(
            "/usr/bin/env", ["python3", directory.file("sender.py"), String(port), String(count), address], timeout: .seconds(60))
        guard let line = run.text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let answered = object["answered"] as? Int
        else { throw TestFailure("sender: \(run.text)") }
        return answered
    }

    /// Waits (bounded) until the agent's open flows of `name` are at most `maximum`.
    static func openFlows(_ agent: AgentFixture, _ name: String, atMost maximum: Int) async throws -> Int {
        var open = Int.max
        for _ in 0..<100 {
            open = await agent.mapping(name)?.openVisitors ?? Int.max
            if open <= maximum { return open }
            try await Task.sleep(for: .milliseconds(100))
        }
        return open
    }

    @Test func flowsAreBoundedPerAddressPerMappingAndPerKey() async throws {
        let echo = try await PythonService("udpecho")
        defer { echo.stop() }
        let log = LogLines()
        let relay = try await RelayFixture.start(limits: {
            $0.udpMaxFlowsPerAddress = 4
            $0.udpMaxFlowsPerMapping = 6
            $0.udpMaxFlowsPerKey = 8
        }, log: log.sink, bindHost: "::")
        try await relay.withAgent(mappings: [
            Mapping(name: "game", protocol: .udp, local: LocalAddress(port: echo.port)),
            Mapping(name: "voice", protocol: .udp, local: LocalAddress(port: echo.port)),
        ]) { agent in
            let game = try #require(try await agent.watcher.online("game").port)
            let voice = try #require(try await agent.watcher.online("voice").port)

            // One address, 40 source ports: each new one is answered, at most 4 flows stay.
            #expect(try await Self.send(port: game, count: 40, from: "127.0.0.1") == 40)
            #expect(try await Self.openFlows(agent, "game", atMost: 4) <= 4)
            #expect(await agent.mapping("game")?.totalVisitors == 40)

            // A second address: answered too; the mapping keeps at most 6.
            #expect(try await Self.send(port: game, count: 4, from: "::1") == 4)
            #expect(try await Self.openFlows(agent, "game", atMost: 6) <= 6)

            // The key's other mapping: answered; the key keeps at most 8 in all.
            #expect(try await Self.send(port: voice, count: 4, from: "127.0.0.1") == 4)
            let voiceOpen = try await Self.openFlows(agent, "voice", atMost: 4)
            let gameOpen = try await Self.openFlows(agent, "game", atMost: 6)
            #expect(voiceOpen + gameOpen <= 8, "game \(gameOpen) + voice \(voiceOpen)")
            #expect(log.text.contains("udpMaxFlowsPerAddress"), "\(log.text)")
        }
    }
}
