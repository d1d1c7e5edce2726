import Foundation

/// python3 helpers for the visitor-path tests: a local HTTP/1.1 service that
/// reports what reached it, and a raw visitor that sends hostile bytes and
/// reports every status it got back and whether the relay closed.
enum VisitorPathScripts {
    /// The service. Each request becomes a `SEEN METHOD PATH xff=… host=… body=N`
    /// line on stdout and a 200 whose body says the same; `CONNECT` gets 405,
    /// `/accept` 101 then an echo of raw bytes, `/slow` waits 2 s, `/big` is
    /// 64 KB chunked.
    static let service = #"""
        import socket, sys, threading, time

        # An HTTP/1.1 service that says what it received: each request's method,
        # path, X-Forwarded-For, Host and body length (SEEN lines on stdout), and
        # answers with the same in its body. /accept answers 101 and echoes raw
        # bytes; /slow answers after 2 s; /big answers 64 KB chunked.
        def handle(conn):
            reader = conn.makefile("rb")
            try:
                while True:
                    line = reader.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        continue
                    method, path = line.split(b" ")[0:2]
                    headers = {}
                    while True:
                        header = reader.readline()
                        if header in (b"\r\n", b"\n", b""):
                            break
                        name, _, value = header.decode("latin-1").partition(":")
                        headers.setdefault(name.strip().lower(), []).append(value.strip())
                    body = b""
                    if "transfer-encoding" in headers:
                        while True:
                            size = int(reader.readline().split(b";")[0], 16)
                            if size == 0:
                                while reader.readline() not in (b"\r\n", b"\n", b""):
                                    pass
                                break
                            body += reader.read(size)
                            reader.readline()
                    elif "content-length" in headers:
                        body = reader.read(int(headers["content-length"][0]))
                    xff = ",".join(headers.get("x-forwarded-for", []))
                    print("SEEN %s %s xff=%s host=%s body=%d" % (method.decode(), path.decode(), xff, ",".join(headers.get("host", [])), len(body)), flush=True)
                    if method == b"CONNECT":
                        conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                        continue
                    if path == b"/accept":
                        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
                        while True:
                            data = conn.recv(65536)
                            if not data:
                                return
                            conn.sendall(data)
                    if path == b"/slow":
                        time.sleep(2)
                    if path == b"/big":
                        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                        for _ in range(16):
                            conn.sendall(b"1000\r\n" + b"x" * 4096 + b"\r\n")
                        conn.sendall(b"0\r\n\r\n")
                        continue
                    answer = ("%s %s xff=%s body=%d" % (method.decode(), path.decode(), xff, len(body))).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer)
            except (OSError, ValueError):
                pass
            finally:
                conn.close()

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        print("PORT", listener.getsockname()[1], flush=True)
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
        """#

    static let rawVisitor = #"""
        import re, socket, sys, time

        # Sends the payload file to 127.0.0.1:PORT, pausing 0.3 s at each "<PAUSE>",
        # then reads until the relay closes or WAIT seconds pass. Prints the status
        # codes of every response seen, CLOSED or OPEN, and the seconds it took.
        port, wait = int(sys.argv[1]), float(sys.argv[2])
        parts = open(sys.argv[3], "rb").read().split(b"<PAUSE>")
        sock = socket.create_connection(("127.0.0.1", port), timeout=wait)
        start = time.time()
        try:
            for index, part in enumerate(parts):
                if index:
                    time.sleep(0.3)
                sock.sendall(part)
        except OSError:
            pass
        reply, closed = b"", False
        sock.settimeout(max(0.1, wait - (time.time() - start)))
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    closed = True
                    break
                reply += data
        except socket.timeout:
            pass
        except OSError:
            closed = True
        codes = " ".join(code.decode() for code in re.findall(rb"HTTP/1\.[01] (\d{3}) ", reply)) or "-"
        print("REPLY %s %s %.2f" % (codes, "CLOSED" if closed else "OPEN", time.time() - start), flush=True)
        """#

    /// Starts the service; returns it (for its SEEN lines) and its port.
    static func startService(_ kit: RelayTestKit) async throws -> (TestProcess, Int) {
        let path = kit.directory + "/service.py"
        try service.write(toFile: path, atomically: true, encoding: .utf8)
        let process = kit.track(try TestProcess("python3", ["-u", path]))
        return (process, Int(try await process.waitFor("PORT (\\d+)\\n"))!)
    }

    /// What a raw visitor got: the status of every response, whether the relay closed, when.
    struct Reply: CustomStringConvertible {
        var codes: [String]
        var closed: Bool
        var seconds: Double
        var description: String { "\(codes) \(closed ? "closed" : "open") after \(seconds) s" }
    }

    /// Sends `text` (with `<PAUSE>` marks, 0.3 s each) to `port`; waits up to `wait` seconds for the close.
    static func send(_ kit: RelayTestKit, port: Int, _ text: String, wait: Double = 5) async throws -> Reply {
        try await send(kit, port: port, Array(text.utf8), wait: wait)
    }

    static func send(_ kit: RelayTestKit, port: Int, _ bytes: [UInt8], wait: Double = 5) async throws -> Reply {
        let script = kit.directory + "/raw-visitor.py"
        try rawVisitor.write(toFile: script, atomically: true, encoding: .utf8)
        let payload = kit.directory + "/payload-\(UUID().uuidString.prefix(8)).bin"
        try Data(bytes).write(to: URL(fileURLWithPath: payload))
        let run = try await TestProcess.run("python3", [script, String(port), String(wait), payload], timeout: .seconds(Int(wait) + 30))
        guard let match = run.stdout.firstMatch(of: /REPLY (.+) (CLOSED|OPEN) ([\d.]+)/) else {
            throw TestFailure("raw visitor: \(run.stdout) \(run.stderr)")
        }
        let codes = match.1 == "-" ? [] : match.1.split(separator: " ").map(String.init)
        return Reply(codes: codes, closed: match.2 == "CLOSED", seconds: Double(match.3)!)
    }
}
