import Foundation

/// A test's temp directory and every process started for it (`cleanUp`
/// kills them all and removes the directory), with the real tools the
/// end-to-end relay and fleet tests share: ssh keys made by ssh-keygen, the
/// stock OpenSSH client, python3 services (`relay_helper.py`, installed as
/// helper.py) and curl.
open class ProcessKit {
    public let directory: String
    private var processes: [TestProcess] = []

    /// - Parameter prefix: the temp directory's name, before a random suffix.
    public init(prefix: String) throws {
        directory = FileManager.default.temporaryDirectory.path + "/\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try TestScripts.install("relay_helper.py", in: directory, as: "helper.py")
    }

    /// Kills every process this kit started and removes the directory.
    public func cleanUp() {
        for process in processes { process.kill() }
        processes = []
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    public func track(_ process: TestProcess) -> TestProcess {
        processes.append(process)
        return process
    }

    /// A fresh ed25519 key (ssh-keygen) in the directory; returns the private key's path.
    public func generateKey(_ name: String) async throws -> String {
        let path = directory + "/" + name
        let keygen = try await TestProcess.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path])
        guard keygen.exitStatus == 0 else { throw TestFailure("ssh-keygen failed: \(keygen.stderr)") }
        return path
    }

    /// `ssh -N` (stock OpenSSH) as tester@127.0.0.1; `forwards` are `-R`
    /// specs; `-N` is left out for a `command` or a `-W` in `extra`.
    public func ssh(
        key: String, sshPort: Int, forwards: [String], extra: [String] = [], exitOnForwardFailure: Bool = true,
        logLevel: String = "INFO", command: String? = nil
    ) throws -> TestProcess {
        var arguments = [
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "ExitOnForwardFailure=\(exitOnForwardFailure ? "yes" : "no")", "-o", "ServerAliveInterval=5",
            "-o", "IdentitiesOnly=yes", "-o", "LogLevel=\(logLevel)",
            "-i", key, "-p", String(sshPort),
        ]
        for forward in forwards { arguments += ["-R", forward] }
        arguments += extra
        if command == nil, !extra.contains("-W") { arguments.append("-N") }
        arguments.append("tester@127.0.0.1")
        if let command { arguments.append(command) }
        return track(try TestProcess("ssh", arguments))
    }

    /// A python3 HTTP server over `directory/folder` (a folder of its own
    /// when nil: two sites, two pages) whose index.html says `index`.
    /// Returns its port.
    public func site(_ folder: String? = nil, index: String) async throws -> Int {
        let root = directory + "/" + (folder ?? "www-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try index.write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        return try await startHTTPServer(root: root)
    }

    /// A python3 HTTP server over `root`: GET serves files, POST answers
    /// "SHA256 LENGTH" of the body. Returns its port.
    public func startHTTPServer(root: String) async throws -> Int {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let server = track(try TestProcess("python3", ["-u", directory + "/helper.py", "http", root]))
        return Int(try await server.waitFor("PORT (\\d+)\\n"))!
    }

    /// curl, bounded; returns (HTTP status, body).
    public func curl(_ url: String, _ extra: [String] = [], timeout: Int = 20) async throws -> (status: Int, body: String) {
        let bodyPath = directory + "/body-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: bodyPath) }
        let curl = try await TestProcess.run(
            "curl", ["-s", "-m", String(timeout), "-o", bodyPath, "-w", "%{http_code}"] + extra + [url],
            timeout: .seconds(timeout + 5))
        return (Int(curl.stdout) ?? 0, (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? "")
    }
}
