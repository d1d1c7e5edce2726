import BurrowTestSupport
import Foundation
import Testing

@testable import BurrowRelay

/// `sshMaxConnectionsPerKey`: one key cannot hold more logged-in SSH
/// connections than the limit. A further one is told why (an agent on its
/// control channel; `ssh -R` sees its forward refused), is granted nothing
/// and is closed; a closed connection gives its place back; other keys are
/// not affected.
@Suite("SSH connections per key", .spawnsProcesses, .timeLimit(.minutes(5)))
struct KeyConnectionLimitTests {
    @Test("each subject counts up to its maximum; leaving gives a place back once")
    func counting() {
        let counts = ConnectionCounts(maximum: 2)
        #expect(counts.enter("SHA256:a") && counts.enter("SHA256:a") && !counts.enter("SHA256:a"))
        #expect(counts.enter("SHA256:b"))
        counts.leave("SHA256:a")
        counts.leave("SHA256:a")
        counts.leave("SHA256:a")
        #expect(counts.count("SHA256:a") == 0)
        #expect(counts.count("SHA256:b") == 1)
        #expect(ConnectionCounts(maximum: 0).maximum == 1)
    }

    @Test("a key's 3rd connection is told why and closed, gets no forward; a close frees a place; another key is not affected")
    func limitPerKey() async throws {
        try await RelayTest.run(limits: #""sshMaxConnectionsPerKey": 2, "limitReportIntervalSeconds": 0.1"#) { test in
            let first = try #require(try await test.welcomedControl(attempts: 1))
            let second = try #require(try await test.welcomedControl(attempts: 1))

            // A third connection of the key: the reason on its control channel, never a welcome, then closed.
            let third = try test.ssh([], command: "burrow-control")
            let notice = try await third.waitFor(#"(\{[^\n]*"type":"notice"[^\n]*\})"#)
            #expect(notice.contains("sshMaxConnectionsPerKey"), "\(notice)")
            #expect(notice.contains("already has 2 SSH connections open"), "\(notice)")
            _ = try await third.wait(timeout: .seconds(30))
            #expect(!third.stdout.contains("\"welcome\""), "\(third.stdout)")
            #expect(test.log.text.contains("(sshMaxConnectionsPerKey)"), "\(test.log.text)")

            // `ssh -R` with the key: its forward is refused and the name is not served.
            let echo = try await test.kit.startEchoServer()
            let forward = try test.ssh(["over:80:127.0.0.1:\(echo)"])
            #expect(try await forward.wait(timeout: .seconds(30)) != 0)
            let status = try await TestProcess.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", test.url("over")])
            #expect(status.stdout == "404", "\(status.stdout)")

            // Another key logs in and is welcomed while this one is at its limit.
            let otherKey = try await test.kit.makeKey("other", authorize: true)
            let other = try #require(try await test.welcomedControl(key: otherKey, attempts: 1))

            // A closed connection gives its place back.
            first.kill()
            _ = try await first.wait(timeout: .seconds(30))
            let again = try #require(try await test.welcomedControl())
            again.kill()
            second.kill()
            other.kill()
        }
    }
}
