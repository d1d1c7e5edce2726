import BurrowTestSupport
import Foundation

/// Real local services and clients for the services tests, in python3
/// (Tests/Scripts/services_server.py and services_client.py):
/// `server MODE` prints `{"port": N}` then serves (`http` reflects the
/// forwarding headers it saw; `proxy` parses a PROXY v1/v2 header strictly,
/// as HAProxy's spec says, and answers `SRC version address port`; `echo`,
/// `udpecho`, `ws` (Python `websockets`)); `client MODE …` prints one JSON line.
///
/// One of the server's processes, with its `{"port": N}` read.
final class PythonService {
    let port: Int
    private let script: PythonScript

    init(_ mode: String) async throws {
        script = try PythonScript("services_server.py", label: "burrow-py") { _ in [mode] }
        let output = try await script.process.waitForOutput("\"port\"")
        guard let line = output.split(separator: "\n").first(where: { $0.contains("\"port\"") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let port = object["port"] as? Int
        else { throw TestFailure("python \(mode) server printed no port: \(output)") }
        self.port = port
    }

    func stop() {
        script.stop()
    }

    /// Runs the client script in `mode` and returns its JSON line.
    static func client(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let directory = try TestDirectory("burrow-pyc")
        defer { directory.remove() }
        let script = try TestScripts.install("services_client.py", in: directory.path)
        let result = try await TestProcess.run("/usr/bin/env", ["python3", script] + arguments, timeout: timeout)
        guard let line = result.text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw TestFailure("python client \(arguments) failed (\(result.exitStatus ?? -1)): \(result.text)") }
        return object
    }
}

/// A script of Tests/Scripts run with python3 from a temp folder of its own
/// (with the module the scripts share); `stop()` ends it and removes the folder.
final class PythonScript {
    let directory: TestDirectory
    let process: TestProcess

    /// `arguments` may write files into the folder the script then reads.
    init(_ name: String, label: String, arguments: (TestDirectory) throws -> [String]) throws {
        directory = try TestDirectory(label)
        let path = try TestScripts.install(name, in: directory.path)
        process = try TestProcess("/usr/bin/env", ["python3", "-u", path] + arguments(directory), output: .combined)
    }

    func stop(signal: Int32 = SIGTERM) {
        process.stop(signal: signal)
        directory.remove()
    }
}
