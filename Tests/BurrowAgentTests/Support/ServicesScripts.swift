import Foundation

/// Real local services and clients for the services tests, in python3:
/// `server MODE` prints `{"port": N}` then serves (`http` reflects the
/// forwarding headers it saw; `proxy` parses a PROXY v1/v2 header strictly,
/// as HAProxy's spec says, and answers `SRC version address port`; `echo`,
/// `udpecho`, `ws` (Python `websockets`)); `client MODE …` prints one JSON line.
enum ServicesScripts {
    static let server = #"""
import hashlib, http.server, ipaddress, json, socket, socketserver, struct, sys, threading

MODE = sys.argv[1]

def say(**kw):
    print(json.dumps(kw), flush=True)

class Reflect(http.server.BaseHTTPRequestHandler):
    """Answers every request with what it saw: forwarding headers, peer, body hash."""
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""): pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))
    def answer(self):
        body = self.body()
        out = json.dumps({
            "xff": self.headers.get_all("X-Forwarded-For"),
            "proto": self.headers.get_all("X-Forwarded-Proto"),
            "xfh": self.headers.get_all("X-Forwarded-Host"),
            "forwarded": self.headers.get_all("Forwarded"),
            "authorization": self.headers.get("Authorization"),
            "sha": hashlib.sha256(body).hexdigest(),
            "length": len(body),
        }).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    do_GET = answer
    do_POST = answer

# A strict PROXY protocol parser, following HAProxy's proxy-protocol.txt.
SIG = b"\r\n\r\n\x00\r\nQUIT\n"
def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk: raise ValueError("eof in header")
        data += chunk
    return data

def port_text(t):
    if not t.isdigit() or (len(t) > 1 and t[0] == "0") or int(t) > 65535: raise ValueError("bad port " + t)
    return int(t)

def parse_proxy(conn):
    first = read_exact(conn, 1)
    if first == b"P":
        line = first
        while not line.endswith(b"\r\n"):
            line += read_exact(conn, 1)
            if len(line) > 107: raise ValueError("v1 line too long")
        parts = line[:-2].decode("ascii").split(" ")
        if parts[0] != "PROXY": raise ValueError("no PROXY")
        if parts[1] == "UNKNOWN": return ("v1", None, None)
        if len(parts) != 6 or parts[1] not in ("TCP4", "TCP6"): raise ValueError("bad v1 fields")
        src = ipaddress.ip_address(parts[2]); dst = ipaddress.ip_address(parts[3])
        want = 4 if parts[1] == "TCP4" else 6
        if src.version != want or dst.version != want: raise ValueError("family mismatch")
        if str(src) != parts[2] or str(dst) != parts[3]: raise ValueError("non-canonical address")
        port_text(parts[5])
        return ("v1", str(src), port_text(parts[4]))
    head = first + read_exact(conn, 15)
    if head[:12] != SIG: raise ValueError("bad v2 signature")
    ver_cmd, fam, length = head[12], head[13], struct.unpack("!H", head[14:16])[0]
    if ver_cmd >> 4 != 2: raise ValueError("bad v2 version")
    block = read_exact(conn, length)
    if ver_cmd & 0xF == 0: return ("v2", None, None)
    if ver_cmd & 0xF != 1: raise ValueError("bad v2 command")
    if fam == 0x11:
        if length < 12: raise ValueError("short v4 block")
        s, d, sp, dp = struct.unpack("!4s4sHH", block[:12])
        return ("v2", str(ipaddress.IPv4Address(s)), sp)
    if fam == 0x21:
        if length < 36: raise ValueError("short v6 block")
        s, d, sp, dp = struct.unpack("!16s16sHH", block[:36])
        return ("v2", str(ipaddress.IPv6Address(s)), sp)
    raise ValueError("bad v2 family %x" % fam)

class ProxyHandler(socketserver.BaseRequestHandler):
    """Parses the PROXY header, answers `SRC version address port`, then echoes."""
    def handle(self):
        conn = self.request
        try:
            version, src, port = parse_proxy(conn)
            conn.sendall(("SRC %s %s %s\n" % (version, src, port)).encode())
        except Exception as e:
            conn.sendall(("BAD %s\n" % e).encode())
            return
        while True:
            data = conn.recv(65536)
            if not data: return
            conn.sendall(data)

class PlainEcho(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data: return
            self.request.sendall(data)

class Threading(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

if MODE == "http":
    server = Threading(("127.0.0.1", 0), Reflect)
    say(port=server.server_address[1]); server.serve_forever()
elif MODE == "proxy":
    server = Threading(("127.0.0.1", 0), ProxyHandler)
    say(port=server.server_address[1]); server.serve_forever()
elif MODE == "echo":
    server = Threading(("127.0.0.1", 0), PlainEcho)
    say(port=server.server_address[1]); server.serve_forever()
elif MODE == "udpecho":
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind(("127.0.0.1", 0))
    say(port=sock.getsockname()[1])
    while True:
        data, addr = sock.recvfrom(65535)
        sock.sendto(data, addr)
elif MODE == "ws":
    from websockets.sync.server import serve
    def echo(ws):
        ws.send("hello " + ",".join(ws.request.headers.get_all("X-Forwarded-For")))
        for message in ws:
            ws.send(message)
    with serve(echo, "127.0.0.1", 0) as server:
        say(port=server.socket.getsockname()[1]); server.serve_forever()
"""#

    static let client = #"""
import json, socket, sys, threading, random, time

MODE = sys.argv[1]

def say(**kw):
    print(json.dumps(kw), flush=True)

if MODE == "ws":
    from websockets.sync.client import connect
    port, host = int(sys.argv[2]), sys.argv[3]
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    with connect("ws://%s:%d/" % (host, port), sock=sock, open_timeout=10) as ws:
        greeting = ws.recv(timeout=10)
        echoes = []
        for text in ["one", "two" * 1000, "three"]:
            ws.send(text)
            echoes.append(ws.recv(timeout=10))
        ws.send(b"\x00\x01binary")
        echoes.append(ws.recv(timeout=10).hex())
    say(greeting=greeting, echoes=echoes)
elif MODE == "tcp":
    address, port, want = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect((address, port))
    local = sock.getsockname()
    try:
        sock.sendall(b"ping\n")
        data = b""
        while data.count(b"\n") < want:
            chunk = sock.recv(4096)
            if not chunk: break
            data += chunk
        say(lines=data.decode(errors="replace").splitlines(), local=[local[0], local[1]])
    except (ConnectionResetError, socket.timeout) as e:
        say(lines=[], error=str(e), local=[local[0], local[1]])
elif MODE == "keepalive":
    # Two requests on one connection: the first signed in, the second not.
    import base64
    port, host, credentials = int(sys.argv[2]), sys.argv[3], sys.argv[4]
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    auth = base64.b64encode(credentials.encode()).decode()
    sock.sendall(("GET /one HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\n\r\n" % (host, auth)).encode())
    first = b""
    while b"\n{" not in first or not first.endswith(b"}\n"):
        chunk = sock.recv(65536)
        if not chunk: break
        first += chunk
    sock.sendall(("GET /two HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode())
    second = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk: break
            second += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    say(first=first.decode(errors="replace"), second=second.decode(errors="replace"))
elif MODE == "metrics":
    # prometheus_client's own parser: the text must be valid exposition format.
    import urllib.request
    from prometheus_client.parser import text_string_to_metric_families
    text = urllib.request.urlopen(sys.argv[2], timeout=10).read().decode()
    samples, types = {}, {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            labels = ",".join("%s=%s" % (k, v) for k, v in sorted(sample.labels.items()))
            samples["%s{%s}" % (sample.name, labels)] = sample.value
    say(samples=samples, types=types)
elif MODE == "udp":
    port, total, address = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sizes = [0, 1, 7, 100, 512, 1400, 1500, 4096, 9000, 32768, 65507]
    results = {}
    def flow(index, count):
        rng = random.Random(index)
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.settimeout(5)
        sent = 0; good = 0; bad = []
        window = 8
        while sent < count:
            batch = []
            # At most 8 datagrams and ~64 KB in flight per flow: three flows
            # then fit the kernel's default UDP receive buffers (~208 KB).
            for _ in range(min(window, count - sent)):
                if batch and sum(map(len, batch)) + 65507 > 70000: break
                size = sizes[rng.randrange(len(sizes))]
                payload = (b"%d:%d:" % (index, sent)) + bytes(rng.randrange(256) for _ in range(min(size, 64)))
                payload = (payload * (size // max(len(payload), 1) + 1))[:max(size, len(b"%d:%d:" % (index, sent)))]
                sock.sendto(payload, (address, port))
                batch.append(payload)
                sent += 1
            for expected in batch:
                try:
                    got = sock.recv(65535)
                except socket.timeout:
                    bad.append("timeout")
                    break
                if got == expected: good += 1
                else: bad.append("mismatch at %d (%d vs %d bytes)" % (good, len(got), len(expected)))
            if bad: break
        results[index] = {"good": good, "bad": bad[:3]}
    threads = []
    per = [total // 3 + (1 if i < total % 3 else 0) for i in range(3)]
    for i in range(3):
        t = threading.Thread(target=flow, args=(i, per[i])); t.start(); threads.append(t)
    for t in threads: t.join()
    say(results=[results[i] for i in range(3)], total=sum(r["good"] for r in results.values()))
"""#
}

/// One of the scripts' processes, with its `{"port": N}` read.
final class PythonService {
    let port: Int
    private let process: TestProcess
    private let directory: TestDirectory

    init(_ mode: String) async throws {
        directory = try TestDirectory("burrow-py")
        try directory.write("server.py", ServicesScripts.server)
        process = try TestProcess("/usr/bin/env", ["python3", directory.file("server.py"), mode])
        let output = try await process.waitForOutput("\"port\"")
        guard let line = output.split(separator: "\n").first(where: { $0.contains("\"port\"") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let port = object["port"] as? Int
        else { throw TestFailure("python \(mode) server printed no port: \(output)") }
        self.port = port
    }

    func stop() {
        process.stop()
        directory.remove()
    }

    /// Runs the client script in `mode` and returns its JSON line.
    static func client(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let directory = try TestDirectory("burrow-pyc")
        defer { directory.remove() }
        try directory.write("client.py", ServicesScripts.client)
        let result = try await TestProcess.run("/usr/bin/env", ["python3", directory.file("client.py")] + arguments, timeout: timeout)
        guard let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw TestFailure("python client \(arguments) failed (\(result.status)): \(result.output)") }
        return object
    }
}
