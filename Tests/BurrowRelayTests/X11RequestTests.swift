import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// Stock `ssh -X` sends an `x11-req` channel request with fields NIOSSH does
/// not read; the relay refuses it politely (like `-A`) and keeps the
/// connection and its forwards.
@Suite("ssh -X against the relay", .spawnsProcesses, .timeLimit(.minutes(10)))
struct X11RequestTests {
    @Test("ssh -X -R gets 'X11 forwarding request failed', its banner, and its forward keeps serving")
    func x11RequestIsRefusedNotDisconnected() async throws {
        try await RelayTest.run { test in
            let (kit, key, relay, log) = (test.kit, test.key, test.relay, test.log)
            let local = try await kit.site(index: "x\n")
            // A fake display is enough: ssh sends x11-req without connecting to it.
            var environment = ProcessInfo.processInfo.environment
            environment["DISPLAY"] = "127.0.0.1:97"
            let arguments = [
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "ExitOnForwardFailure=yes", "-o", "IdentitiesOnly=yes", "-o", "ForwardX11Trusted=yes",
                "-o", "XAuthLocation=/nonexistent", "-X", "-tt", "-i", key, "-p", String(relay.sshPort),
                "-R", "xx:80:127.0.0.1:\(local)", "tester@127.0.0.1",
            ]
            let ssh = kit.track(try TestProcess("ssh", arguments, environment: environment))
            _ = try await ssh.waitFor("X11 forwarding request failed", inStderr: true)
            _ = try await ssh.waitFor("Burrow relay")
            #expect(try await kit.waitUntilServed("http://xx.localhost:\(relay.httpPort)/") == "x\n")
            #expect(ssh.isRunning, "\(ssh.stderr)")
            #expect(!log.text.contains("invalidPacketFormat"), "\(log.text)")
        }
    }
}
