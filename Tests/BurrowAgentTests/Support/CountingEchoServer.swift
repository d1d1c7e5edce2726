import BurrowCore
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
        process = try TestProcess("/usr/bin/env", ["python3", script], output: .combined)
        let line = try await process.waitForLine(startingWith: "PORT ")
        guard let port = Int(line.trimmingCharacters(in: .whitespaces))
        else { throw TestFailure("the echo server printed no port: PORT \(line)") }
        self.port = port
    }

    /// The set-up of the inspector and replay tests: this service behind a
    /// fresh relay and a started agent whose mappings (`mappings(port)`)
    /// point at it; then `body`; then all three are stopped, however it ended.
    static func behindAgent<T>(
        _ mappings: (_ port: Int) throws -> [Mapping], _ body: (AgentFixture, CountingEchoServer) async throws -> T
    ) async throws -> T {
        let service = try await CountingEchoServer()
        defer { service.stop() }
        let relay = try await RelayFixture.start()
        return try await relay.withAgent(mappings: try mappings(service.port)) { agent in try await body(agent, service) }
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
