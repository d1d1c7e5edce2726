import BurrowAPI
import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation

/// A config directory with one HTTP mapping "web" to a real local service
/// (python3), and the real `burrow` binary to run on it. `remove()` ends
/// every engine still holding the directory's lock, the service, and the files.
final class EngineFixture: Sendable {
    let root: String
    let configDir: String
    let servicePort: Int
    private let service: TestProcess

    static var binary: String { BurrowExecutable.path }

    /// - Parameter bigBytes: the size of what the service answers at `/big`.
    /// - Parameter deepConfig: a config path too long for a Unix socket inside it.
    init(mapping: Bool = true, bigBytes: Int = 0, deepConfig: Bool = false) async throws {
        // Short: a Unix socket path must fit in 108 bytes.
        var template = Array("/tmp/burrow-api-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
        root = String(cString: made)
        configDir = root + (deepConfig ? "/" + String(repeating: "d", count: 90) : "") + "/c"
        let script = try TestScripts.install("local_http_server.py", in: root)
        _ = FileManager.default.createFile(atPath: root + "/big", contents: Data(repeating: 7, count: bigBytes))
        service = try TestProcess("python3", [script, root + "/big"], output: .combined)
        guard let port = Int(try await service.waitForLine(startingWith: "PORT ").trimmingCharacters(in: .whitespaces)) else {
            throw TestFailure("the local service printed no port:\n\(service.text)")
        }
        servicePort = port
        if mapping {
            try ConfigStore(directory: configDir).addMapping(
                protocol: .http, local: LocalAddress(port: port), name: "web", remotePort: nil, profile: nil, enabled: true)
        }
    }

    var socketPath: String { EngineAPI.socketPath(configDirectory: configDir) }

    var environment: [String: String] { BurrowExecutable.environment(home: root) }

    /// `burrow --config-dir CONFIG ARGS…` to its end.
    func burrow(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> SpawnedProcess.Result {
        try await SpawnedProcess.run(
            EngineFixture.binary, ["--config-dir", configDir] + arguments,
            environment: environment.merging(extra) { _, new in new }, timeout: .seconds(120))
    }

    /// `burrow up --detach` (must succeed); returns its output and the engine's pid.
    func detach(_ extra: String...) async throws -> (output: SpawnedProcess.Result, pid: Int32) {
        let result = try await SpawnedProcess.run(
            EngineFixture.binary, ["--config-dir", configDir, "up", "--detach"] + extra, environment: environment, timeout: .seconds(120))
        guard result.status == 0, let pid = EngineLock.holder(configDirectory: configDir) else {
            throw TestFailure("burrow up --detach failed (\(result.status)):\n\(result.stdout)\(result.stderr)\nlog:\n\(log)")
        }
        return (result, pid)
    }

    var log: String { (try? String(contentsOfFile: EngineAPI.logPath(configDirectory: configDir), encoding: .utf8)) ?? "" }

    struct Answer {
        var status: Int
        var body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
    }

    /// `curl --unix-socket CONFIG/engine.sock` — the way a person would ask.
    func api(_ method: String, _ path: String, body: String? = nil, headers: [String] = []) async throws -> Answer {
        var arguments = ["-sS", "--max-time", "30", "--unix-socket", socketPath, "-X", method, "-w", "\n%{http_code}"]
        for header in headers { arguments += ["-H", header] }
        if let body { arguments += ["--data-binary", body] }
        let result = try await SpawnedProcess.run("curl", arguments + ["http://burrow" + EngineAPI.pathPrefix + path], timeout: .seconds(60))
        guard result.status == 0, let newline = result.stdout.lastIndex(of: "\n"),
              let status = Int(result.stdout[result.stdout.index(after: newline)...]) else {
            throw TestFailure("curl \(method) \(path) failed (\(result.status)): \(result.stdout)\(result.stderr)")
        }
        return Answer(status: status, body: String(result.stdout[..<newline]))
    }

    /// GET `path` until `check` holds (bounded).
    func waitFor(_ path: String, timeout: Duration = .seconds(60), _ check: (Answer) -> Bool) async throws -> Answer {
        let deadline = ContinuousClock.now + timeout
        var last = try await api("GET", path)
        while !check(last) {
            guard ContinuousClock.now < deadline else { throw TestFailure("GET \(path) never matched; last: \(last.body)\nlog:\n\(log)") }
            try await Task.sleep(for: .milliseconds(200))
            last = try await api("GET", path)
        }
        return last
    }

    /// The state the API reports for mapping `name` (nil when absent).
    func mappingState(_ answer: Answer, _ name: String) -> String? {
        (answer.json as? [[String: Any]])?.first { $0["name"] as? String == name }?["state"] as? String
    }

    /// A visitor through the embedded relay: `curl http://NAME.localhost:PORT/`.
    func visit(_ name: String, httpPort: Int, path: String = "/") async throws -> SpawnedProcess.Result {
        try await SpawnedProcess.run("curl", [
            "-sS", "--max-time", "30", "--resolve", "\(name).localhost:\(httpPort):127.0.0.1",
            "http://\(name).localhost:\(httpPort)\(path)",
        ], timeout: .seconds(60))
    }

    /// Waits (bounded) until no engine holds the lock.
    func waitUntilStopped(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while EngineLock.holder(configDirectory: configDir) != nil {
            guard ContinuousClock.now < deadline else { throw TestFailure("the engine still runs after \(timeout)\nlog:\n\(log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func remove() {
        if let pid = EngineLock.holder(configDirectory: configDir), pid > 0 { kill(pid, SIGKILL) }
        service.stop()
        try? FileManager.default.removeItem(atPath: root)
    }
}
