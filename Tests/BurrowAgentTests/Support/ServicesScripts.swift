import BurrowTestSupport
import Foundation

/// Real local services and clients for the services tests, in python3:
/// `server MODE` prints `{"port": N}` then serves (`http` reflects the
/// forwarding headers it saw; `proxy` parses a PROXY v1/v2 header strictly,
/// as HAProxy's spec says, and answers `SRC version address port`; `echo`,
/// `udpecho`, `ws` (Python `websockets`)); `client MODE …` prints one JSON line.
enum ServicesScripts {
    static let server = TestScripts.read("services_server.py")

    static let client = TestScripts.read("services_client.py")
}

/// One of the scripts' processes, with its `{"port": N}` read.
final class PythonService {
    let port: Int
    private let process: TestProcess
    private let directory: TestDirectory

    init(_ mode: String) async throws {
        directory = try TestDirectory("burrow-py")
        try directory.write("server.py", ServicesScripts.server)
        process = try TestProcess("/usr/bin/env", ["python3", directory.file("server.py"), mode])
        let output = try await process.waitForOutput("\"port\"")
        guard let line = output.split(separator: "\n").first(where: { $0.contains("\"port\"") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let port = object["port"] as? Int
        else { throw TestFailure("python \(mode) server printed no port: \(output)") }
        self.port = port
    }

    func stop() {
        process.stop()
        directory.remove()
    }

    /// Runs the client script in `mode` and returns its JSON line.
    static func client(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let directory = try TestDirectory("burrow-pyc")
        defer { directory.remove() }
        try directory.write("client.py", ServicesScripts.client)
        let result = try await TestProcess.run("/usr/bin/env", ["python3", directory.file("client.py")] + arguments, timeout: timeout)
        guard let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw TestFailure("python client \(arguments) failed (\(result.status)): \(result.output)") }
        return object
    }
}
