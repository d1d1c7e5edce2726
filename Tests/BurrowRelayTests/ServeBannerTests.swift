import BurrowTestSupport
import Foundation
import Testing

/// What `burrow serve` says at start-up about where it reads keys from and
/// where it listens.
@Suite("burrow serve start-up lines", .spawnsProcesses, .timeLimit(.minutes(10)))
struct ServeBannerTests {
    @Test("with XDG_STATE_HOME set and no --state-dir, the banner names the authorized_keys really used")
    func authorizedKeysPathFollowsXDG() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = kit.directory + "/xdg"
        let serve = kit.track(
            try TestProcess(
                RelayTestKit.burrowBinary,
                ["serve", "--bind", "127.0.0.1", "--ssh-port", "0", "--http-port", "0", "--tls-port", "0", "--ports", TestRelay.portsFlag],
                environment: environment))
        _ = try await serve.waitFor("keys +\(NSRegularExpression.escapedPattern(for: kit.directory))/xdg/burrow-relay/authorized_keys \\(re-read")
        _ = try await serve.waitFor("note: .*/xdg/burrow-relay/authorized_keys does not exist yet")
        #expect(!serve.stdout.contains("listening on every address"))
        serve.signal(SIGTERM)
        #expect(try await serve.wait(timeout: .seconds(60)) == 0)
    }
}
