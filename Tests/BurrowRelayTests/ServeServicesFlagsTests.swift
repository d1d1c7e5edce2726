import BurrowTestSupport
import Foundation
import Testing

/// `burrow serve`'s TLS and metrics ports, as a user starts them, with a
/// stock `ssh -R NAME:443:…` forward routed by SNI.
@Suite("burrow serve: TLS and metrics ports", .spawnsProcesses, .timeLimit(.minutes(10)))
struct ServeServicesFlagsTests {
    @Test func tlsAndMetricsPortsComeUpAndAnswer() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let serve = kit.track(
            try TestProcess(
                RelayTestKit.burrowBinary,
                ["serve", "--state-dir", kit.stateDirectory, "--bind", "127.0.0.1", "--ssh-port", "0", "--http-port", "0",
                 "--tls-port", "0", "--metrics-port", "0", "--ports", TestRelay.portsFlag]))
        let ssh = Int(try await serve.waitFor("ssh +127\\.0\\.0\\.1:(\\d+)"))!
        let tls = Int(try await serve.waitFor("tls +127\\.0\\.0\\.1:(\\d+)"))!
        let metrics = Int(try await serve.waitFor("metrics +http://127\\.0\\.0\\.1:(\\d+)/metrics"))!

        let health = try await kit.curl("http://127.0.0.1:\(metrics)/healthz")
        #expect(health.body == "ok\n")
        let before = try await kit.curl("http://127.0.0.1:\(metrics)/metrics")
        #expect(before.body.contains("# TYPE burrow_agents_online gauge"))
        #expect(before.body.contains("burrow_ssh_handshakes_total{result=\"accepted\"} 0"))

        // A stock OpenSSH client asks for a TLS mapping (bind port 443) and gets a banner line with its URL.
        let key = try await kit.makeKey("agent", authorize: true)
        let echo = try await kit.startEchoServer()
        _ = try kit.ssh(key: key, sshPort: ssh, forwards: ["shop:443:127.0.0.1:\(echo)"])
        let after = try await waitFor { (try? await kit.curl("http://127.0.0.1:\(metrics)/metrics"))?.body.contains("burrow_mappings_active{protocol=\"tls\"} 1") == true }
        #expect(after)
        // A ClientHello for a name nobody serves is closed and counted.
        let unknown = try await kit.curl("https://nobody.localhost:\(tls)/", ["-k", "--resolve", "nobody.localhost:\(tls):127.0.0.1"], timeout: 5)
        #expect(unknown.status == 0)  // no HTTP status: the connection was closed during the handshake
        let counted = try await waitFor { (try? await kit.curl("http://127.0.0.1:\(metrics)/metrics"))?.body.contains("burrow_refusals_total{reason=\"unknown_name\"} 1") == true }
        #expect(counted)
    }

    @Test func badValuesAreRefusedInOneLine() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        for (flag, value) in [("--udp-idle-timeout", "0"), ("--tls-port", "70000"), ("--metrics-port", "-1")] {
            let serve = kit.track(try TestProcess(RelayTestKit.burrowBinary, ["serve", "--state-dir", kit.stateDirectory, flag, value]))
            #expect(try await serve.wait(timeout: .seconds(10)) != 0)
            #expect(serve.stderr.contains(flag), "\(serve.stderr)")
        }
    }

    /// Polls `condition` (bounded, 10 s).
    private func waitFor(_ condition: () async -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
