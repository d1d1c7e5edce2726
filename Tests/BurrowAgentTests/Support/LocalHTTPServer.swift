import Foundation

/// A real local service for HTTP mappings: python3's threading HTTP server
/// with `GET /` (a greeting), `GET /big` (the file given), `GET /echo/WORD`
/// (WORD repeated), and `POST /upload` (answers the SHA-256 of the body).
final class LocalHTTPServer {
    static let script = """
        import hashlib, http.server, os, socketserver, sys
        BIG = sys.argv[1]
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def reply(self, body, kind="text/plain"):
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_GET(self):
                if self.path == "/big":
                    size = os.path.getsize(BIG)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(size))
                    self.end_headers()
                    with open(BIG, "rb") as f:
                        while True:
                            chunk = f.read(1 << 20)
                            if not chunk:
                                break
                            self.wfile.write(chunk)
                elif self.path.startswith("/echo/"):
                    self.reply((self.path[6:] + "\\n").encode() * 100)
                else:
                    self.reply(b"hello from the local service\\n")
            def do_POST(self):
                remaining = int(self.headers.get("Content-Length", "0"))
                digest = hashlib.sha256()
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    digest.update(chunk)
                    remaining -= len(chunk)
                self.reply(digest.hexdigest().encode())
        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            request_queue_size = 128
        server = Server(("127.0.0.1", 0), Handler)
        print("PORT", server.server_address[1], flush=True)
        server.serve_forever()
        """

    let port: Int
    let bigFile: String
    private let directory: TestDirectory
    private let process: TestProcess

    /// - Parameter bigBytes: size of the random file served at `/big`.
    init(bigBytes: Int = 0) async throws {
        directory = try TestDirectory("burrow-http")
        try directory.write("server.py", Self.script)
        bigFile = directory.file("big.bin")
        let made = try await TestProcess.run("/bin/sh", ["-c", "head -c \(bigBytes) /dev/urandom > '\(bigFile)'"])
        guard made.status == 0 else { throw TestFailure("cannot make the big file: \(made.output)") }
        process = try TestProcess("/usr/bin/env", ["python3", directory.file("server.py"), bigFile])
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
        guard result.status == 0, let digest = result.output.split(separator: " ").first else {
            throw TestFailure("sha256sum failed: \(result.output)")
        }
        return String(digest)
    }

    /// Runs curl with `arguments`; returns (exit status, stdout+stderr).
    static func curl(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
        try await TestProcess.run("/usr/bin/env", ["curl", "-sS", "--max-time", "50"] + arguments, timeout: timeout)
    }
}
