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
        try TestScripts.install("relay_helper.py", in: directory, as: "helper.py")
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

    /// The shared test relay configuration (`TestRelay`) on this kit's state directory.
    func relayConfiguration() -> RelayConfiguration {
        TestRelay.configuration(stateDirectory: stateDirectory)
    }

    /// Writes `text` to the state file `name` (creating the state directory); returns its path.
    @discardableResult
    func writeState(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let path = stateDirectory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The error `Relay.start()` stops with on this kit's state, or nil (and
    /// a recorded issue) when it started.
    func startFailure() async -> (any Error)? {
        let relay = Relay(configuration: relayConfiguration())
        do {
            _ = try await relay.start()
            await relay.shutdown(drainTimeout: .zero)
            return nil
        } catch {
            return error
        }
    }

    /// A python3 HTTP server over `directory/folder` whose index.html says `index`. Returns its port.
    func site(_ folder: String = "www", index: String) async throws -> Int {
        let root = directory + "/" + folder
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try index.write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        return try await startHTTPServer(root: root)
    }

    /// `burrow serve` (the built binary) on this kit's state, OS-chosen ports;
    /// returns it with its SSH and HTTP ports once it prints them.
    func serve(_ extra: [String] = []) async throws -> (process: TestProcess, ssh: Int, http: Int) {
        let serve = track(try TestProcess(
            Self.burrowBinary,
            ["serve", "--state-dir", stateDirectory, "--bind", "127.0.0.1", "--ssh-port", "0", "--http-port", "0",
             "--ports", TestRelay.portsFlag] + extra))
        let ssh = Int(try await serve.waitFor("ssh +127\\.0\\.0\\.1:(\\d+)"))!
        let http = Int(try await serve.waitFor("http +127\\.0\\.0\\.1:(\\d+)"))!
        return (serve, ssh, http)
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
}

/// Runs `body` with a started in-process relay, always shutting it down.
func withRelay<T>(
    _ configuration: RelayConfiguration, _ body: (RelayEndpoints) async throws -> T
) async throws -> T {
    try await TestRelay.with(configuration) { _, endpoints in try await body(endpoints) }
}

/// One end-to-end relay test, the set-up most of them share: a fresh kit, a
/// key named "agent" (authorized unless `authorizeKey` is false), an
/// in-process relay on the kit's configuration with its log collected.
/// `prepare` runs before the relay starts (state files), `configure` changes
/// its configuration. The relay is shut down and the kit cleaned up however
/// `body` ends.
struct RelayTest {
    let kit: RelayTestKit
    /// The "agent" key's private key path.
    let key: String
    let running: Relay
    let relay: RelayEndpoints
    let configuration: RelayConfiguration
    let log: LogCollector

    static func run<T>(
        authorizeKey: Bool = true,
        prepare: (RelayTestKit, _ key: String) async throws -> Void = { _, _ in },
        configure: (inout RelayConfiguration) -> Void = { _ in },
        _ body: (RelayTest) async throws -> T
    ) async throws -> T {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: authorizeKey)
        try await prepare(kit, key)
        let log = LogCollector()
        var configuration = kit.relayConfiguration()
        configuration.log = log.sink
        configure(&configuration)
        return try await TestRelay.with(configuration) { running, relay in
            try await body(RelayTest(kit: kit, key: key, running: running, relay: relay, configuration: configuration, log: log))
        }
    }

    /// `ssh` to this relay with the "agent" key (or `key`); see `RelayTestKit.ssh`.
    func ssh(key: String? = nil, _ forwards: [String], extra: [String] = [], exitOnForwardFailure: Bool = true, command: String? = nil) throws -> TestProcess {
        try kit.ssh(key: key ?? self.key, sshPort: relay.sshPort, forwards: forwards, extra: extra,
                    exitOnForwardFailure: exitOnForwardFailure, command: command)
    }

    /// `ssh -R 0:127.0.0.1:LOCAL`: the process and the TCP port the relay allocated.
    func tcpForward(to local: Int) async throws -> (ssh: TestProcess, port: Int) {
        let ssh = try ssh(["0:127.0.0.1:\(local)"])
        return (ssh, try await RelayTestKit.allocatedPort(ssh))
    }

    /// `ssh -R NAME:80:127.0.0.1:LOCAL`, waited for until the name serves its
    /// index (200); returns http://NAME.localhost:HTTP-PORT.
    func served(_ name: String, by local: Int) async throws -> String {
        _ = try ssh(["\(name):80:127.0.0.1:\(local)"])
        let base = "http://\(name).localhost:\(relay.httpPort)"
        _ = try await kit.waitUntilServed(base + "/")
        return base
    }

    /// http://NAME.localhost:HTTP-PORT + path.
    func url(_ name: String, _ path: String = "/") -> String {
        "http://\(name).localhost:\(relay.httpPort)\(path)"
    }
}

extension RelayTestKit {
    /// The port OpenSSH reports for a `-R 0:…` forward ("Allocated port N").
    static func allocatedPort(_ ssh: TestProcess) async throws -> Int {
        Int(try await ssh.waitFor("Allocated port (\\d+)", inStderr: true))!
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
