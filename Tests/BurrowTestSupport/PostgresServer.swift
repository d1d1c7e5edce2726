#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A throwaway PostgreSQL for fleet tests: `initdb` in a temp directory and
/// `postgres` on a free loopback port (its Unix socket in the same
/// directory), run through `pg_ctl`. Binaries from Debian's `postgresql`
/// package (`/usr/lib/postgresql/VERSION/bin`, the newest). initdb refuses
/// root, and CI runs as root: then every server command runs as the
/// `postgres` user (`runuser -u postgres --`) on a directory it owns.
///
/// Use `PostgresServer.with { … }`: the server is stopped and its directory
/// removed however the body ends. Authentication is `trust`: the password
/// in `url` is not checked, only carried (tests look for it in output).
public final class PostgresServer: Sendable {
    public let directory: String
    public let port: Int
    public let user = "burrow"
    public let database = "postgres"
    public let password = "pw-never-shown-4711"
    private let bin: String

    /// `postgres://burrow:PASSWORD@127.0.0.1:PORT/postgres`.
    public var url: String { "postgres://\(user):\(password)@127.0.0.1:\(port)/\(database)" }
    /// The same database by its Unix socket, no password.
    public var socketURL: String { "postgres://\(user)@:\(port)/\(database)?host=\(directory)" }

    private init(directory: String, port: Int, bin: String) {
        self.directory = directory
        self.port = port
        self.bin = bin
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts a fresh server, runs `body`, and always stops and removes it.
    public static func with<T>(_ body: (PostgresServer) async throws -> T) async throws -> T {
        let server = try await start()
        do {
            let result = try await body(server)
            await server.remove()
            return result
        } catch {
            await server.remove()
            throw error
        }
    }

    public static func start() async throws -> PostgresServer {
        let bin = try binaries()
        // As root the server runs as `postgres`, which must reach the directory: /tmp, whatever TMPDIR says.
        let base = getuid() == 0 ? "/tmp/" : NSTemporaryDirectory()
        let directory = base + (base.hasSuffix("/") ? "" : "/") + "burrow-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = PostgresServer(directory: directory, port: try FreePorts.take(1)[0], bin: bin)
        do {
            if getuid() == 0 {
                guard let account = getpwnam("postgres") else {
                    throw Failure(description: "running as root and there is no 'postgres' user to run initdb as (install Debian's postgresql)")
                }
                chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
            }
            let initdb = try await server.command(
                "initdb", ["-D", directory + "/data", "-U", server.user, "--auth=trust", "-E", "UTF8", "--no-sync"], timeout: .seconds(60))
            guard initdb.status == 0 else { throw Failure(description: "initdb failed: \(initdb.stdout) \(initdb.stderr)") }
            try await server.startServer()
        } catch {
            await server.remove()
            throw error
        }
        return server
    }

    /// Starts (again) the server on its data directory and port; waits until it accepts connections.
    public func startServer() async throws {
        let options = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        let start = try await command(
            "pg_ctl", ["-D", directory + "/data", "-l", directory + "/data/server.log", "-o", options, "-w", "-t", "60", "start"],
            timeout: .seconds(75))
        guard start.status == 0 else {
            let log = (try? String(contentsOfFile: directory + "/data/server.log", encoding: .utf8)) ?? ""
            throw Failure(description: "pg_ctl start failed: \(start.stdout) \(start.stderr) \(log.suffix(2000))")
        }
    }

    /// Stops the server (fast: open connections are cut), bounded; a server
    /// that does not stop is killed.
    public func stopServer() async {
        let stop = try? await command("pg_ctl", ["-D", directory + "/data", "-m", "fast", "-w", "-t", "30", "stop"], timeout: .seconds(40))
        if stop?.status != 0, let pid = postmasterPID() {
            kill(pid, SIGKILL)
        }
    }

    /// Stops the server and removes its directory.
    public func remove() async {
        if FileManager.default.fileExists(atPath: directory + "/data/postmaster.pid") { await stopServer() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `psql -c SQL` on the socket; returns its output (unaligned, tuples only).
    public func psql(_ sql: String) async throws -> String {
        let result = try await command(
            "psql", ["-h", directory, "-p", String(port), "-U", user, "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
            timeout: .seconds(30))
        guard result.status == 0 else { throw Failure(description: "psql failed: \(result.stderr)") }
        return result.stdout
    }

    private func postmasterPID() -> pid_t? {
        guard let text = try? String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = pid_t(first)
        else { return nil }
        return pid
    }

    /// One of the server's programs, as the postgres user when we are root.
    private func command(_ name: String, _ arguments: [String], timeout: Duration) async throws -> SpawnedProcess.Result {
        if getuid() == 0 {
            return try await SpawnedProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/" + name] + arguments, timeout: timeout)
        }
        return try await SpawnedProcess.run(bin + "/" + name, arguments, timeout: timeout)
    }

    /// The newest `/usr/lib/postgresql/*/bin` with initdb (no PATH symlinks on CI).
    static func binaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { name in Int(name).map { ($0, name) } }
            .sorted { $0.0 > $1.0 }
        for (_, name) in versions where access("\(root)/\(name)/bin/initdb", X_OK) == 0 {
            return "\(root)/\(name)/bin"
        }
        throw Failure(description: "PostgreSQL not found under \(root)/*/bin (apt-get install postgresql)")
    }
}
