import BurrowTestSupport
import Foundation
import Testing

/// SSH clients match global-request replies by order (RFC 4254 §4). A TCP
/// forward's bind completes later than an at-once refusal of the request
/// sent after it; the relay must still answer in order, or the client
/// pins the refusal on the wrong forward (seen: a mapping online and
/// "refused" at once, its sibling's refusal never reported).
@Suite("global request replies in order", .spawnsProcesses, .timeLimit(.minutes(10)))
struct GlobalReplyOrderTests {
    @Test("ssh -R 0 (bound later) then -R outside the range (refused at once): each reply goes to its own forward")
    func repliesFollowRequestOrder() async throws {
        try await RelayTest.run { test in
            let echo = try await test.kit.startEchoServer()
            for round in 0..<5 {
                let ssh = try test.ssh(["0:127.0.0.1:\(echo)", "65000:127.0.0.1:\(echo)"], exitOnForwardFailure: false)
                // Out of order, ssh blames port 0 and takes the bound port for 65000.
                let failed = try await ssh.waitFor("remote port forwarding failed for listen port (\\d+)", inStderr: true)
                #expect(failed == "65000", "round \(round): \(ssh.stderr)")
                _ = try await ssh.waitFor("Allocated port (\\d+)", inStderr: true, timeout: .seconds(10))
                ssh.kill()
            }
        }
    }
}
