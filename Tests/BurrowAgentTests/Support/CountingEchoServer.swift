import BurrowTestSupport
import Foundation

/// A real local service for the inspector tests (`Tests/Scripts/counting_echo_server.py`):
/// it counts the requests it answers and echoes each request's body.
final class CountingEchoServer {
    let port: Int
    private let directory: TestDirectory
    private let process: TestProcess

    init() async throws {
        directory = try TestDirectory("burrow-echo")
        let script = try TestScripts.install("counting_echo_server.py", in: directory.path)
        process = try TestProcess("/usr/bin/env", ["python3", script])
        let line = try await process.waitForLine(startingWith: "PORT ")
        guard let port = Int(line.trimmingCharacters(in: .whitespaces))
        else { throw TestFailure("the echo server printed no port: PORT \(line)") }
        self.port = port
    }

    /// How many requests the service has answered (asked directly, not through the tunnel).
    func count() async throws -> Int {
        let result = try await Tools.curl(["http://127.0.0.1:\(port)/count"])
        guard result.status == 0, let count = Int(result.output) else { throw TestFailure("count: \(result.output)") }
        return count
    }

    func stop() {
        process.stop()
        directory.remove()
    }
}
