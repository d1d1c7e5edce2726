import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// `sshKeepaliveTimeoutSeconds` (NIO's IdleStateHandler plus the relay's
/// reaction): a silent connection with a burrow-control channel is closed;
/// a silent plain `ssh -R` is left alone. Stock OpenSSH clients.
@Suite("SSH keepalive watchdog", .spawnsProcesses, .timeLimit(.minutes(10)))
struct KeepaliveWatchdogTests {
    @Test("a silent burrow-control connection is closed after the timeout; a silent plain ssh -R keeps serving")
    func silentControlClosedPlainKept() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let local = try await kit.startHTTPServer(root: kit.directory + "/www")
        try "kept\n".write(toFile: kit.directory + "/www/index.html", atomically: true, encoding: .utf8)
        let log = LogCollector()
        var configuration = kit.relayConfiguration()
        configuration.limits.sshKeepaliveTimeoutSeconds = 1
        configuration.log = log.sink
        try await withRelay(configuration) { relay in
            // ServerAliveInterval=5 (the kit's): both clients stay silent for longer than 1 s.
            let plain = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: ["plain:80:127.0.0.1:\(local)"])
            let control = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: [], command: "burrow-control")
            _ = try await control.waitFor("\"welcome\"")
            _ = try await control.wait(timeout: .seconds(60))  // the relay closed it
            #expect(log.text.contains("(sshKeepaliveTimeoutSeconds); closing the dead connection"), "\(log.text)")
            try await Task.sleep(for: .seconds(1))
            #expect(plain.isRunning)
            #expect(try await kit.waitUntilServed("http://plain.localhost:\(relay.httpPort)/") == "kept\n")
        }
    }
}
