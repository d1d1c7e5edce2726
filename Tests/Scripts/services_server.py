import hashlib, http.server, ipaddress, json, socket, socketserver, struct, sys, threading
from burrow_test_net import echo, request_body, send_json

MODE = sys.argv[1]

def say(**kw):
    print(json.dumps(kw), flush=True)

class Reflect(http.server.BaseHTTPRequestHandler):
    """Answers every request with what it saw: forwarding headers, peer, body hash."""
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def answer(self):
        body = request_body(self)
        send_json(self, {
            "xff": self.headers.get_all("X-Forwarded-For"),
            "proto": self.headers.get_all("X-Forwarded-Proto"),
            "xfh": self.headers.get_all("X-Forwarded-Host"),
            "forwarded": self.headers.get_all("Forwarded"),
            "authorization": self.headers.get("Authorization"),
            "sha": hashlib.sha256(body).hexdigest(),
            "length": len(body),
        })
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
        echo(self.request)

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
