import BurrowTestSupport
import Foundation

/// Real pieces for fleet tests: a temp directory, ssh keys (ssh-keygen),
/// `burrow serve --cluster` members on fixed loopback ports (so a member
/// killed with -9 comes back at the same address), stock `ssh -R` agents,
/// a python3 web server, curl. `cleanUp` kills every process it started.
final class FleetKit: ProcessKit {
    private var keys: [String] = []

    init() throws {
        try super.init(prefix: "burrow-fleet-test")
    }

    /// Runs `body` with a fresh database and kit; everything is stopped however it ends.
    static func scene(_ body: (FleetKit, PostgresServer) async throws -> Void) async throws {
        try await PostgresServer.with { database in
            let kit = try FleetKit()
            defer { kit.cleanUp() }
            try await body(kit, database)
        }
    }

    /// A fresh ed25519 key, authorized on every member started after; returns its path.
    func makeKey(_ name: String) async throws -> String {
        let path = try await generateKey(name)
        keys.append(try String(contentsOfFile: path + ".pub", encoding: .utf8))
        return path
    }

    /// Authorizes a public key line (a Burrow agent's identity) on every member started after.
    func authorize(_ publicKeyLine: String) {
        keys.append(publicKeyLine.hasSuffix("\n") ? publicKeyLine : publicKeyLine + "\n")
    }

    /// One member's fixed ports.
    struct Ports: Sendable {
        var ssh: Int
        var http: Int
        var metrics: Int
    }

    func ports() throws -> Ports {
        let taken = try FreePorts.take(3)
        return Ports(ssh: taken[0], http: taken[1], metrics: taken[2])
    }

    /// `burrow serve --cluster URL` as member `name` on `ports`; returns once it printed its banner.
    /// `relayJSON` is written as the member's relay.json when given; `cluster`
    /// nil = no --cluster flag (relay.json names the database); `wait` false
    /// returns at once, before the banner.
    func member(
        _ name: String, cluster: String?, ports: Ports, heartbeat: Double = 0.5, relayJSON: String? = nil, extra: [String] = [],
        wait: Bool = true
    ) async throws -> TestProcess {
        let state = directory + "/" + name
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        if let relayJSON { try relayJSON.write(toFile: state + "/relay.json", atomically: true, encoding: .utf8) }
        try keys.joined().write(toFile: state + "/authorized_keys", atomically: true, encoding: .utf8)
        let serve = track(try TestProcess(
            Self.burrowBinary,
            ["serve", "--state-dir", state, "--bind", "127.0.0.1", "--ssh-port", String(ports.ssh), "--http-port", String(ports.http),
             "--tls-port", "0", "--metrics-port", String(ports.metrics), "--ports", "23000-23999",
             "--advertise", "127.0.0.1:\(ports.ssh)", "--heartbeat-seconds", String(heartbeat)]
                + (cluster.map { ["--cluster", $0] } ?? []) + extra))
        if wait { _ = try await serve.waitFor("fleet +postgres", timeout: .seconds(60)) }
        return serve
    }

    /// `ssh -N -R …` with stock OpenSSH (errors only); exits 255 when a forward is refused.
    func ssh(key: String, port: Int, forwards: [String], command: String? = nil) throws -> TestProcess {
        try ssh(key: key, sshPort: port, forwards: forwards, logLevel: "ERROR", command: command)
    }

    /// curl, bounded; returns (HTTP status, body). `host` is sent as the Host header.
    func curl(port: Int, host: String, path: String = "/", timeout: Int = 5) async throws -> (status: Int, body: String) {
        try await curl("http://127.0.0.1:\(port)\(path)", ["-H", "Host: \(host)"], timeout: timeout)
    }

    /// Polls until `check` is true, every 50 ms, up to `timeout`; false when it never was.
    static func eventually(_ timeout: Duration = .seconds(20), _ check: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try await check() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await check()
    }

    /// Waits (bounded) until a forward on `member`'s SSH connection is granted or refused: 0 = granted
    /// (the relay logged the URL and ssh still runs), 255 = refused.
    static func outcome(of ssh: TestProcess, name: String, timeout: Duration = .seconds(20), granted: () -> Bool) async throws -> Int32 {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let status = ssh.exitStatus { return status }
            if granted() { return 0 }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("ssh for \(name): neither granted nor refused within \(timeout)\nstderr: \(ssh.stderr)")
    }

    static var burrowBinary: String { BurrowExecutable.path }
}
