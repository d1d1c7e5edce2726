import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// Reading `authorized_keys` never stalls an event loop: with the file a FIFO
/// that nobody writes yet (the slowest disk there is), a login waits for it
/// while every loop keeps answering visitors; once the key arrives the login
/// completes.
@Suite("authorized_keys off the event loops", .spawnsProcesses, .timeLimit(.minutes(10)))
struct AuthorizedKeysOffLoopTests {
    @Test("a login waiting on a blocked authorized_keys read leaves the HTTP router answering on every loop")
    func blockedReadDoesNotStallLoops() async throws {
        try await RelayTest.run(authorizeKey: false, prepare: { kit, _ in
            try FileManager.default.createDirectory(atPath: kit.stateDirectory, withIntermediateDirectories: true)
            #expect(mkfifo(kit.stateDirectory + "/authorized_keys", 0o600) == 0)
        }, configure: {
            // The login waits as long as the test needs on a busy machine.
            $0.limits.sshAuthTimeoutSeconds = 3600
        }) { test in
            let fifo = test.kit.stateDirectory + "/authorized_keys"
            let line = try String(contentsOfFile: test.key + ".pub", encoding: .utf8)
            let ssh = try test.ssh([], command: "burrow-control")
            try await Task.sleep(for: .seconds(1))  // the relay is now reading the FIFO for this login
            // New visitor connections go round-robin over the loops: each must be answered.
            for _ in 0..<(2 * ProcessInfo.processInfo.activeProcessorCount + 2) {
                let answer = try await test.kit.curl(test.url("nobody"), timeout: 30)
                #expect(answer.status == 404)
            }
            // The key arrives: the waiting login goes through.
            let writer = Thread {
                if let handle = FileHandle(forWritingAtPath: fifo) {
                    handle.write(Data(line.utf8))
                    try? handle.close()
                }
            }
            writer.start()
            _ = try await ssh.waitFor("\"welcome\"")
        }
    }
}
