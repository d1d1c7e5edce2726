import BurrowTestSupport
import Foundation

/// A real local service for pool tests: python3's HTTP server answering
/// every request with its name, so each response says which member served it.
final class PoolMemberServer {
    let name: String
    let port: Int
    private let directory: TestDirectory
    private let process: TestProcess

    /// `port` 0 = any free port; a stopped member comes back on its old port.
    init(_ name: String, port: Int = 0) async throws {
        self.name = name
        directory = try TestDirectory("burrow-pool-member")
        let script = try TestScripts.install("pool_member_server.py", in: directory.path)
        process = try TestProcess("/usr/bin/env", ["python3", script, name, String(port)], output: .combined)
        let line = try await process.waitForLine(startingWith: "PORT ")
        guard let bound = Int(line.trimmingCharacters(in: .whitespaces)) else { throw TestFailure("no port: PORT \(line)") }
        self.port = bound
    }

    func stop() {
        _ = process.stop(signal: SIGKILL)
        directory.remove()
    }
}
