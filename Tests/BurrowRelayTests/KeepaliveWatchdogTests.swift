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
        try await RelayTest.run(configure: { $0.limits.sshKeepaliveTimeoutSeconds = 1 }) { test in
            let local = try await test.kit.site(index: "kept\n")
            // ServerAliveInterval=5 (the kit's): both clients stay silent for longer than 1 s.
            let plain = try test.ssh(["plain:80:127.0.0.1:\(local)"])
            let control = try test.ssh([], command: "burrow-control")
            _ = try await control.waitFor("\"welcome\"")
            _ = try await control.wait(timeout: .seconds(60))  // the relay closed it
            #expect(test.log.text.contains("(sshKeepaliveTimeoutSeconds); closing the dead connection"), "\(test.log.text)")
            try await Task.sleep(for: .seconds(1))
            #expect(plain.isRunning)
            #expect(try await test.kit.waitUntilServed(test.url("plain")) == "kept\n")
        }
    }
}
