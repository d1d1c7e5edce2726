import BurrowTestSupport
import BurrowConfig
import BurrowRelay
import Foundation
import Synchronization

/// Real pieces for end-to-end relay tests: a temp directory, ssh keys made by
/// ssh-keygen, python3 services, the stock OpenSSH client, curl.
final class RelayTestKit {
    let directory: String
    private var processes: [TestProcess] = []

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        directory = base + "/burrow-relay-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.helperScript.write(toFile: directory + "/helper.py", atomically: true, encoding: .utf8)
    }

    /// Kills every process this kit started and removes the directory.
    func cleanUp() {
        for process in processes { process.kill() }
        processes = []
        try? FileManager.default.removeItem(atPath: directory)
    }

    func track(_ process: TestProcess) -> TestProcess {
        processes.append(process)
        return process
    }

    var stateDirectory: String { directory + "/state" }

    /// A fresh ed25519 key (ssh-keygen); returns the private key path.
    func makeKey(_ name: String, authorize: Bool) async throws -> String {
        let path = directory + "/" + name
        let keygen = try await TestProcess.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path])
        guard keygen.exitStatus == 0 else { throw TestFailure("ssh-keygen failed: \(keygen.stderr)") }
        if authorize { try self.authorize(publicKeyOf: path) }
        return path
    }

    func authorize(publicKeyOf keyPath: String) throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let line = try String(contentsOfFile: keyPath + ".pub", encoding: .utf8)
        let file = stateDirectory + "/authorized_keys"
        let existing = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        try (existing + line).write(toFile: file, atomically: true, encoding: .utf8)
    }

    func relayConfiguration() -> RelayConfiguration {
        var configuration = RelayConfiguration(stateDirectory: stateDirectory)
        configuration.bindHost = "127.0.0.1"
        configuration.sshPort = 0
        configuration.httpPort = 0
        // A window of its own per test, below the kernel's ephemeral range
        // (32768+), so neither parallel tests nor outgoing connections take
        // a port a test expects back.
        let low = Int.random(in: 20000...32000)
        configuration.portRange = low...(low + 500)
        // Every test visitor comes from 127.0.0.1: the per-IP rate limit is
        // tested on its own (RelayLimitsTests), not by every busy test.
        configuration.limits.newConnectionsPerSecondPerIP = 100_000
        return configuration
    }

    /// A python3 HTTP server over `root`: GET serves files, POST answers
    /// "SHA256 LENGTH" of the body. Returns its port.
    func startHTTPServer(root: String) async throws -> Int {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let server = track(try TestProcess("python3", ["-u", directory + "/helper.py", "http", root]))
        return Int(try await server.waitFor("PORT (\\d+)\\n"))!
    }

    /// A python3 TCP echo server. Returns its port.
    func startEchoServer() async throws -> Int {
        let server = track(try TestProcess("python3", ["-u", directory + "/helper.py", "echo"]))
        return Int(try await server.waitFor("PORT (\\d+)\\n"))!
    }

    /// Sends `count` random bytes to 127.0.0.1:`port`, half-closes, reads until
    /// EOF; true when the same bytes came back.
    func echoExchange(port: Int, count: Int) async throws -> Bool {
        let client = try await TestProcess.run("python3", [directory + "/helper.py", "echo-client", String(port), String(count)])
        return client.stdout.hasPrefix("OK")
    }

    /// `ssh -N` with stock OpenSSH; `forwards` are `-R` specs.
    func ssh(key: String, sshPort: Int, forwards: [String], extra: [String] = [], exitOnForwardFailure: Bool = true, command: String? = nil) throws -> TestProcess {
        var arguments = [
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "ExitOnForwardFailure=\(exitOnForwardFailure ? "yes" : "no")", "-o", "ServerAliveInterval=5",
            "-o", "IdentitiesOnly=yes", "-o", "LogLevel=INFO",
            "-i", key, "-p", String(sshPort),
        ]
        for forward in forwards { arguments += ["-R", forward] }
        arguments += extra
        if command == nil, !extra.contains("-W") { arguments.append("-N") }
        arguments.append("tester@127.0.0.1")
        if let command { arguments.append(command) }
        return track(try TestProcess("ssh", arguments))
    }

    /// curl, bounded; returns (HTTP status, body).
    func curl(_ url: String, _ extra: [String] = [], timeout: Int = 20) async throws -> (status: Int, body: String) {
        let bodyPath = directory + "/body-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: bodyPath) }
        let curl = try await TestProcess.run(
            "curl", ["-s", "-m", String(timeout), "-o", bodyPath, "-w", "%{http_code}"] + extra + [url],
            timeout: .seconds(timeout + 5))
        let body = (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? ""
        return (Int(curl.stdout) ?? 0, body)
    }

    /// Polls `url` until it answers 200 (the forward is up), bounded.
    func waitUntilServed(_ url: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var last = (status: 0, body: "")
        while ContinuousClock.now < deadline {
            last = try await curl(url, timeout: 5)
            if last.status == 200 { return last.body }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("\(url) not served within \(timeout): last status \(last.status) \(last.body)")
    }

    func sha256(ofFile path: String) async throws -> String {
        let sum = try await TestProcess.run("sha256sum", [path])
        return String(sum.stdout.prefix(64))
    }

    func writeRandomFile(_ path: String, bytes: Int) async throws {
        try await TestProcess.run("/bin/sh", ["-c", "head -c \(bytes) /dev/urandom > '\(path)'"])
    }

    /// The built `burrow` binary, next to the test bundle.
    static var burrowBinary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("burrow").path
    }

    static let helperScript = TestScripts.read("relay_helper.py")
}

/// Runs `body` with a started in-process relay, always shutting it down.
func withRelay<T>(
    _ configuration: RelayConfiguration, _ body: (RelayEndpoints) async throws -> T
) async throws -> T {
    try await withRunningRelay(configuration) { _, endpoints in try await body(endpoints) }
}

/// The same, handing over the relay itself too (for snapshots).
func withRunningRelay<T>(
    _ configuration: RelayConfiguration, _ body: (Relay, RelayEndpoints) async throws -> T
) async throws -> T {
    let relay = Relay(configuration: configuration)
    let endpoints = try await relay.start()
    do {
        let result = try await body(relay, endpoints)
        await relay.shutdown(drainTimeout: .seconds(1))
        return result
    } catch {
        await relay.shutdown(drainTimeout: .seconds(1))
        throw error
    }
}

/// Relay log lines, kept for assertions.
final class LogCollector: Sendable {
    private let lines = Mutex<[String]>([])

    var sink: @Sendable (String) -> Void {
        { line in self.lines.withLock { $0.append(line) } }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
