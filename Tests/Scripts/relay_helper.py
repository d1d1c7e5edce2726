import hashlib, http.server, os, socket, socketserver, sys, time
from burrow_test_net import echo, serve_http, serve_tcp

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

    serve_http(Handler)
elif mode == "echo":
    class Echo(socketserver.BaseRequestHandler):
        def handle(self):
            echo(self.request)

    serve_tcp(Echo)
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
            echo(self.request)

    serve_tcp(Upgrade)
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
