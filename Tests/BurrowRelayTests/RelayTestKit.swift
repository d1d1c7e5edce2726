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

    static let helperScript = #"""
        import hashlib, http.server, os, socket, socketserver, sys, time

        mode = sys.argv[1]
        if mode == "http":
            root = sys.argv[2]

            class Handler(http.server.SimpleHTTPRequestHandler):
                protocol_version = "HTTP/1.1"

                def __init__(self, *args, **kwargs):
                    super().__init__(*args, directory=root, **kwargs)

                def log_message(self, *args):
                    pass

                def do_POST(self):
                    left = int(self.headers.get("Content-Length", "0"))
                    digest, total = hashlib.sha256(), 0
                    while left > 0:
                        chunk = self.rfile.read(min(65536, left))
                        if not chunk:
                            break
                        digest.update(chunk)
                        total += len(chunk)
                        left -= len(chunk)
                    body = ("%s %d" % (digest.hexdigest(), total)).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            http.server.ThreadingHTTPServer.daemon_threads = True
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            print("PORT", server.server_address[1], flush=True)
            server.serve_forever()
        elif mode == "echo":
            class Echo(socketserver.BaseRequestHandler):
                def handle(self):
                    while True:
                        data = self.request.recv(65536)
                        if not data:
                            break
                        self.request.sendall(data)

            socketserver.ThreadingTCPServer.allow_reuse_address = True
            socketserver.ThreadingTCPServer.daemon_threads = True
            socketserver.ThreadingTCPServer.request_queue_size = 1024  # bursts of visitors
            server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
            print("PORT", server.server_address[1], flush=True)
            server.serve_forever()
        elif mode == "echo-client":
            port, count = int(sys.argv[2]), int(sys.argv[3])
            payload = os.urandom(count)
            sock = socket.create_connection(("127.0.0.1", port), timeout=20)
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            received = bytearray()
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                received += data
            print("OK" if bytes(received) == payload else "MISMATCH %d of %d" % (len(received), count))
        elif mode == "upgrade":
            # Answers one HTTP request with 101, then echoes raw bytes (a
            # stand-in for a WebSocket server).
            class Upgrade(socketserver.BaseRequestHandler):
                def handle(self):
                    head = b""
                    while b"\r\n\r\n" not in head:
                        data = self.request.recv(65536)
                        if not data:
                            return
                        head += data
                    head, rest = head.split(b"\r\n\r\n", 1)
                    self.request.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
                    if rest:
                        self.request.sendall(rest)
                    while True:
                        data = self.request.recv(65536)
                        if not data:
                            break
                        self.request.sendall(data)

            socketserver.ThreadingTCPServer.allow_reuse_address = True
            socketserver.ThreadingTCPServer.daemon_threads = True
            server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Upgrade)
            print("PORT", server.server_address[1], flush=True)
            server.serve_forever()
        elif mode == "upgrade-client":
            # Sends the upgrade request with raw bytes in the same packet, then
            # more raw bytes after the 101; all must come back unchanged.
            port, host = int(sys.argv[2]), sys.argv[3]
            sock = socket.create_connection(("127.0.0.1", port), timeout=20)
            early, late = os.urandom(3000), os.urandom(50000)
            sock.sendall(("GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n" % host).encode() + early)
            received = b""
            while b"\r\n\r\n" not in received:
                received += sock.recv(65536)
            head, body = received.split(b"\r\n\r\n", 1)
            sock.sendall(late)
            while len(body) < len(early) + len(late):
                data = sock.recv(65536)
                if not data:
                    break
                body += data
            status = head.split(b"\r\n")[0].decode()
            print("OK" if status.startswith("HTTP/1.1 101") and body == early + late else "BAD %s %d" % (status, len(body)))
        elif mode == "slow-echo-client":
            # Sends 10 chunks 250 ms apart (about 2.5 s), so a relay must keep the
            # connection open that long; prints OK when all came back.
            # CONNECTED comes only after a first chunk came back: connect()
            # returning means the kernel's backlog took the connection, not that
            # the relay accepted it (a listener closed at that moment resets it).
            port = int(sys.argv[2])
            sock = socket.create_connection(("127.0.0.1", port), timeout=20)
            first = os.urandom(1000)
            sock.sendall(first)
            received = bytearray()
            while len(received) < len(first):
                data = sock.recv(65536)
                if not data:
                    break
                received += data
            print("CONNECTED", flush=True)
            # With a marker path: keep talking until the test creates it (it
            # does so right after its signal), then 1 s more — the open visitor
            # spans the signal however slowly the test runs.
            marker = sys.argv[3] if len(sys.argv) > 3 else None
            sent = first
            started, marked = time.time(), None
            while time.time() - started < 20:
                chunk = os.urandom(1000)
                sock.sendall(chunk)
                sent += chunk
                time.sleep(0.25)
                if marker is None and time.time() - started > 2.25:
                    break
                if marker is not None and marked is None and os.path.exists(marker):
                    marked = time.time()
                if marked is not None and time.time() - marked > 1.0:
                    break
            sock.shutdown(socket.SHUT_WR)
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                received += data
            print("OK" if bytes(received) == sent else "MISMATCH %d of %d" % (len(received), len(sent)))
        """#
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
