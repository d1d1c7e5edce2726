import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// `maxReservationsPerKey` caps the names and ports one key collects, and the
/// operator lists and releases them with `burrow serve reservations ls|rm`
/// (rm only while the relay is stopped). Real relay, stock ssh, the binary.
@Suite("Reservation cap and the operator's command", .spawnsProcesses, .timeLimit(.minutes(10)))
struct ReservationCapTests {
    @Test("a third name over maxReservationsPerKey 2 is refused; ls lists the two; rm waits for a stopped relay, then frees one")
    func capListAndRelease() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        try #"{"version": 1, "limits": {"maxReservationsPerKey": 2}}"#
            .write(toFile: kit.stateDirectory + "/relay.json", atomically: true, encoding: .utf8)
        let directory = kit.stateDirectory
        try await withRelay(kit.relayConfiguration()) { relay in
            // One connection at a time, as a squatter with many short connections would.
            for name in ["first", "second"] {
                let ssh = try kit.ssh(
                    key: key, sshPort: relay.sshPort, forwards: ["\(name):80:127.0.0.1:9"], command: "burrow-control")
                _ = try await ssh.waitFor("\"url\":\"http://\(name)\\.localhost")
                ssh.kill()
            }
            let third = try kit.ssh(
                key: key, sshPort: relay.sshPort, forwards: ["third:80:127.0.0.1:9"], exitOnForwardFailure: false,
                command: "burrow-control")
            _ = try await third.waitFor("this key already holds 2 names and ports on this relay \\(maxReservationsPerKey\\)")
            third.kill()

            let list = try await TestProcess.run(RelayTestKit.burrowBinary, ["serve", "reservations", "ls", "--state-dir", directory])
            #expect(list.exitStatus == 0)
            #expect(list.stdout.contains("first") && list.stdout.contains("second") && !list.stdout.contains("third"), "\(list.stdout)")

            let busy = try await TestProcess.run(RelayTestKit.burrowBinary, ["serve", "reservations", "rm", "first", "--state-dir", directory])
            #expect(busy.exitStatus == 1)
            #expect(busy.stderr.contains("a relay is running"), "\(busy.stderr)")
        }
        let removed = try await TestProcess.run(RelayTestKit.burrowBinary, ["serve", "reservations", "rm", "first", "--state-dir", directory])
        #expect(removed.exitStatus == 0, "\(removed.stderr)")
        #expect(removed.stdout.contains("released name first"))
        let after = try await TestProcess.run(RelayTestKit.burrowBinary, ["serve", "reservations", "ls", "--state-dir", directory])
        #expect(!after.stdout.contains("first") && after.stdout.contains("second"), "\(after.stdout)")

        // With the slot free, the key gets a new name again.
        try await withRelay(kit.relayConfiguration()) { relay in
            let ssh = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: ["third:80:127.0.0.1:9"], command: "burrow-control")
            _ = try await ssh.waitFor("\"url\":\"http://third\\.localhost")
        }
    }
}
