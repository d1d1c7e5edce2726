import BurrowTestSupport
import Foundation
import Testing

/// Hundreds of visitors arriving at the same moment on a TCP forward are all
/// accepted (the listener's backlog is sized for it: with NIO's default of
/// 128, the excess saw a reset after their handshake — found by scripts/soak).
@Suite("Visitor bursts", .spawnsProcesses, .tags(.slow), .timeLimit(.minutes(10)))
struct VisitorBurstTests {
    @Test("600 simultaneous TCP visitors all get their bytes echoed")
    func burstOnATCPForward() async throws {
        try await RelayTest.run { test in
            let (_, port) = try await test.tcpForward(to: try await test.kit.startEchoServer())
            let script = try HostileClient.install(in: test.kit)
            let burst = try await TestProcess.run("python3", [script, "burst-echo", String(port), "600"], timeout: .seconds(90))
            #expect(burst.stdout.contains("ECHOED 600 of 600"), "\(burst.stdout)\(burst.stderr)")
        }
    }
}
