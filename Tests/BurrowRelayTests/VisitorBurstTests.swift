import BurrowTestSupport
import Foundation
import Testing

/// Hundreds of visitors arriving at the same moment on a TCP forward are all
/// accepted (the listener's backlog is sized for it: with NIO's default of
/// 128, the excess saw a reset after their handshake — found by scripts/soak).
@Suite("Visitor bursts", .spawnsProcesses, .timeLimit(.minutes(10)))
struct VisitorBurstTests {
    @Test("600 simultaneous TCP visitors all get their bytes echoed")
    func burstOnATCPForward() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let echo = try await kit.startEchoServer()
        try await withRelay(kit.relayConfiguration()) { relay in
            let ssh = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: ["0:127.0.0.1:\(echo)"])
            let port = Int(try await ssh.waitFor("Allocated port (\\d+)", inStderr: true))!
            let script = try HostileClient.install(in: kit)
            let burst = try await TestProcess.run("python3", [script, "burst-echo", String(port), "600"], timeout: .seconds(90))
            #expect(burst.stdout.contains("ECHOED 600 of 600"), "\(burst.stdout)\(burst.stderr)")
        }
    }
}
