import BurrowTestSupport
import Foundation

/// A real local service for HTTP mappings: python3's threading HTTP server
/// with `GET /` (a greeting), `GET /big` (the file given), `GET /echo/WORD`
/// (WORD repeated), and `POST /upload` (answers the SHA-256 of the body).
final class LocalHTTPServer {
    let port: Int
    let bigFile: String
    private let directory: TestDirectory
    private let process: TestProcess

    /// - Parameter bigBytes: size of the random file served at `/big`.
    init(bigBytes: Int = 0) async throws {
        directory = try TestDirectory("burrow-http")
        let script = try TestScripts.install("local_http_server.py", in: directory.path)
        bigFile = directory.file("big.bin")
        let made = try await TestProcess.run("/bin/sh", ["-c", "head -c \(bigBytes) /dev/urandom > '\(bigFile)'"])
        guard made.exitStatus == 0 else { throw TestFailure("cannot make the big file: \(made.text)") }
        process = try TestProcess("/usr/bin/env", ["python3", script, bigFile], output: .combined)
        let line = try await process.waitForLine(startingWith: "PORT ")
        guard let port = Int(line.trimmingCharacters(in: .whitespaces))
        else { throw TestFailure("python server printed no port: PORT \(line)") }
        self.port = port
    }

    func stop() {
        process.stop()
        directory.remove()
    }
}

enum Tools {
    /// `sha256sum FILE` → the hex digest.
    static func sha256(_ path: String) async throws -> String {
        let result = try await TestProcess.run("/usr/bin/env", ["sha256sum", path])
        guard result.exitStatus == 0, let digest = result.stdout.split(separator: " ").first else {
            throw TestFailure("sha256sum failed: \(result.text)")
        }
        return String(digest)
    }

    /// Runs curl with `arguments`; returns (exit status, stdout+stderr).
    static func curl(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
        let curl = try await TestProcess.run("/usr/bin/env", ["curl", "-sS", "--max-time", "50"] + arguments, timeout: timeout)
        return (curl.exitStatus ?? -1, curl.text)
    }
}
