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
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: false)
        try FileManager.default.createDirectory(atPath: kit.stateDirectory, withIntermediateDirectories: true)
        let fifo = kit.stateDirectory + "/authorized_keys"
        #expect(mkfifo(fifo, 0o600) == 0)
        let line = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        var configuration = kit.relayConfiguration()
        // The login waits as long as the test needs on a busy machine.
        configuration.limits.sshAuthTimeoutSeconds = 3600
        try await withRelay(configuration) { relay in
            let ssh = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: [], command: "burrow-control")
            try await Task.sleep(for: .seconds(1))  // the relay is now reading the FIFO for this login
            // New visitor connections go round-robin over the loops: each must be answered.
            for _ in 0..<(2 * ProcessInfo.processInfo.activeProcessorCount + 2) {
                let answer = try await kit.curl("http://nobody.localhost:\(relay.httpPort)/", timeout: 30)
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
