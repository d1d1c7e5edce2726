import BurrowTestSupport
import Foundation

/// Real pieces for fleet tests: a temp directory, ssh keys (ssh-keygen),
/// `burrow serve --cluster` members on fixed loopback ports (so a member
/// killed with -9 comes back at the same address), stock `ssh -R` agents,
/// a python3 web server, curl. `cleanUp` kills every process it started.
final class FleetKit {
    let directory: String
    private var processes: [TestProcess] = []
    private var keys: [String] = []

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/burrow-fleet-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try TestScripts.install("relay_helper.py", in: directory, as: "helper.py")
    }

    func cleanUp() {
        for process in processes { process.kill() }
        processes = []
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    func track(_ process: TestProcess) -> TestProcess {
        processes.append(process)
        return process
    }

    /// A fresh ed25519 key, authorized on every member started after; returns its path.
    func makeKey(_ name: String) async throws -> String {
        let path = directory + "/" + name
        let keygen = try await TestProcess.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path])
        guard keygen.exitStatus == 0 else { throw TestFailure("ssh-keygen failed: \(keygen.stderr)") }
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

    /// `ssh -N -R …` with stock OpenSSH; exits 255 when a forward is refused.
    func ssh(key: String, port: Int, forwards: [String], command: String? = nil) throws -> TestProcess {
        var arguments = [
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=5", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
            "-i", key, "-p", String(port),
        ]
        for forward in forwards { arguments += ["-R", forward] }
        if command == nil { arguments.append("-N") }
        arguments.append("tester@127.0.0.1")
        if let command { arguments.append(command) }
        return track(try TestProcess("ssh", arguments))
    }

    /// A python3 HTTP server whose index.html says `index`; returns its port.
    func site(index: String) async throws -> Int {
        let root = directory + "/www-\(UUID().uuidString.prefix(8))"  // a root of its own: two sites, two pages
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try index.write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        let server = track(try TestProcess("python3", ["-u", directory + "/helper.py", "http", root]))
        return Int(try await server.waitFor("PORT (\\d+)\\n"))!
    }

    /// curl, bounded; returns (HTTP status, body). `host` is sent as the Host header.
    func curl(port: Int, host: String, path: String = "/", timeout: Int = 5) async throws -> (status: Int, body: String) {
        let bodyPath = directory + "/body-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: bodyPath) }
        let curl = try await TestProcess.run(
            "curl", ["-s", "-m", String(timeout), "-o", bodyPath, "-w", "%{http_code}", "-H", "Host: \(host)", "http://127.0.0.1:\(port)\(path)"],
            timeout: .seconds(timeout + 5))
        return (Int(curl.stdout) ?? 0, (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? "")
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

    static var burrowBinary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("burrow").path
    }
}
