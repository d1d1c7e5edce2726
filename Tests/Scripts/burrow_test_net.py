"""Pieces the test scripts share. Each script imports this module from its
own folder (TestScripts.install copies it next to the script)."""
import http.server
import json
import socket
import socketserver
import threading


def pipe(a, b, shut_down=False):
    """Copies bytes from socket a to socket b until EOF or an error; with
    shut_down, then shuts both sockets down (the other direction ends too)."""
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    if shut_down:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def listen(port=0):
    """A TCP listener on 127.0.0.1:port; prints "PORT n" once listening."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    print("PORT", listener.getsockname()[1], flush=True)
    return listener


def serve_connections(handle, backlog=128):
    """Listens on 127.0.0.1 (OS-chosen port, printed as "PORT n") and runs
    `handle(conn)` on a daemon thread for every connection, forever."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(backlog)
    print("PORT", listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def echo(sock):
    """Sends back what `sock` receives until EOF."""
    while True:
        data = sock.recv(65536)
        if not data:
            break
        sock.sendall(data)


def serve_tcp(handler, backlog=1024):
    """A threading TCP server on 127.0.0.1 (OS-chosen port) with `handler`
    (a socketserver.BaseRequestHandler); prints "PORT n", serves forever."""
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    socketserver.ThreadingTCPServer.request_queue_size = backlog  # bursts of visitors
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


def send_json(handler, value):
    """Answers an http.server request with 200 and `value` as one JSON line."""
    out = json.dumps(value).encode() + b"\n"
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(out)))
    handler.end_headers()
    handler.wfile.write(out)


class HTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def serve_http(handler, port=0):
    """A threading http.server on 127.0.0.1:port (0: OS-chosen) with
    `handler`; prints "PORT n", serves forever."""
    server = HTTPServer(("127.0.0.1", port), handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


def header_lines(reader):
    """Reads an HTTP head's header lines up to the blank line (or EOF);
    yields (lowercased name, value)."""
    while True:
        line = reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return
        name, _, value = line.decode("latin-1").partition(":")
        yield name.strip().lower(), value.strip()


def pieces(reader, left, streaming=False):
    """Yields the next `left` bytes of `reader` in pieces of at most 64 KiB
    (ends early at EOF); `streaming` yields what has arrived (read1)."""
    read = reader.read1 if streaming else reader.read
    while left:
        piece = read(min(left, 65536))
        if not piece:
            return
        left -= len(piece)
        yield piece


def chunked_pieces(reader):
    """Yields the data of a chunked body; reads and drops the trailer."""
    while True:
        size = int(reader.readline().split(b";")[0].strip(), 16)
        if size == 0:
            for _ in header_lines(reader):
                pass
            return
        yield from pieces(reader, size)
        reader.readline()


def request_body(handler):
    """The whole body of an http.server request, de-chunked when it came chunked."""
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        return b"".join(chunked_pieces(handler.rfile))
    return handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
