import BurrowTestSupport
import BurrowConfig
import BurrowRelay
import Foundation
import Synchronization

/// Real pieces for end-to-end relay tests: a temp directory, ssh keys made by
/// ssh-keygen, python3 services, the stock OpenSSH client, curl.
final class RelayTestKit: ProcessKit {
    init() throws {
        try super.init(prefix: "burrow-relay-test")
    }

    var stateDirectory: String { directory + "/state" }

    /// A fresh ed25519 key (ssh-keygen); returns the private key path.
    func makeKey(_ name: String, authorize: Bool) async throws -> String {
        let path = try await generateKey(name)
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

    /// The config directory `serveTLS` gives the relay (its local CA is there).
    var relayConfigDirectory: String { directory + "/config" }

    /// `burrow serve` (the built binary) on this kit's state, OS-chosen ports;
    /// returns it with its SSH and HTTP ports once it prints them.
    func serve(_ extra: [String] = []) async throws -> (process: TestProcess, ssh: Int, http: Int) {
        let started = try await startServe(["--http-port", "0"] + extra, tls: false)
        return (started.process, started.ssh, started.http)
    }

    /// `burrow serve` with a TLS port (OS-chosen) and `relayConfigDirectory`;
    /// `extra` names the HTTP port. Returns its ports once it prints them.
    func serveTLS(_ extra: [String]) async throws -> (process: TestProcess, ssh: Int, http: Int, tls: Int) {
        let started = try await startServe(["--config-dir", relayConfigDirectory, "--tls-port", "0"] + extra, tls: true)
        return (started.process, started.ssh, started.http, started.tls ?? 0)
    }

    private func startServe(_ flags: [String], tls: Bool) async throws -> (process: TestProcess, ssh: Int, http: Int, tls: Int?) {
        let serve = track(try TestProcess(
            Self.burrowBinary,
            ["serve", "--state-dir", stateDirectory, "--bind", "127.0.0.1", "--ssh-port", "0", "--ports", TestRelay.portsFlag] + flags))
        let ssh = Int(try await serve.waitFor("ssh +127\\.0\\.0\\.1:(\\d+)"))!
        let http = Int(try await serve.waitFor("http +127\\.0\\.0\\.1:(\\d+)"))!
        let tlsPort = tls ? Int(try await serve.waitFor("tls +127\\.0\\.0\\.1:(\\d+)"))! : nil
        return (serve, ssh, http, tlsPort)
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
    static var burrowBinary: String { BurrowExecutable.path }
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

    /// `run` on a relay whose `STATE_DIR/relay.json` has these `limits`
    /// (the members of its `limits` object, as an operator writes them).
    static func run<T>(limits: String, _ body: (RelayTest) async throws -> T) async throws -> T {
        try await run(prepare: { kit, _ in
            try kit.writeState("relay.json", #"{"version": 1, "limits": {"# + limits + "}}")
        }, body)
    }

    /// `ssh` to this relay with the "agent" key (or `key`); see `RelayTestKit.ssh`.
    func ssh(key: String? = nil, _ forwards: [String], extra: [String] = [], exitOnForwardFailure: Bool = true, command: String? = nil) throws -> TestProcess {
        try kit.ssh(key: key ?? self.key, sshPort: relay.sshPort, forwards: forwards, extra: extra,
                    exitOnForwardFailure: exitOnForwardFailure, command: command)
    }

    /// A `burrow-control` session that got its `welcome`, tried again while
    /// the relay turns connections away (a limit whose places are being
    /// given back); nil when none got one.
    func welcomedControl(key: String? = nil, attempts: Int = 100) async throws -> TestProcess? {
        for _ in 0..<attempts {
            let attempt = try ssh(key: key, [], command: "burrow-control")
            if (try? await attempt.waitFor("\"welcome\"", timeout: .seconds(20))) != nil { return attempt }
            attempt.kill()
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
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
