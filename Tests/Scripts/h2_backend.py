"""The local HTTP/1.1 service behind the relay's HTTP/2 tests. Prints
"PORT n" once listening on 127.0.0.1. It speaks HTTP/1.1 only (the agent's
side of the tunnel) and uses the framings an HTTP/2 visitor must not see:

  GET /headers   JSON of what it was told (host, proto, forwarded, path, the
                 request's header names), with Connection and Keep-Alive
                 fields in the response
  GET /chunked   a chunked body ("one two three\\n") with a trailer
  GET /close     a body that ends when the connection closes
  POST /echo     the request body streamed back as it arrives (same
                 Content-Length, or chunked when the request was chunked)
  GET /upgrade   101, then every byte echoed (WebSocket-style)

Prints "DONE <last path>" when a connection from the agent ends.
"""
import json

from burrow_test_net import chunked_pieces, echo, header_lines, pieces, serve_connections


def read_head(reader):
    line = reader.readline()
    while line in (b"\r\n", b"\n"):
        line = reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    return method, path, list(header_lines(reader))


def body_pieces(reader, headers):
    names = dict(headers)
    if names.get("transfer-encoding", "").lower() == "chunked":
        return chunked_pieces(reader)
    return pieces(reader, int(names.get("content-length", "0")), streaming=True)


def handle(conn):
    reader = conn.makefile("rb")
    path = "-"
    try:
        while True:
            head = read_head(reader)
            if head is None:
                return
            method, path, headers = head
            names = dict(headers)
            if path == "/echo":
                if "content-length" in names:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %s\r\n\r\n"
                                 % names["content-length"].encode())
                    for piece in body_pieces(reader, headers):
                        conn.sendall(piece)
                else:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                    for piece in body_pieces(reader, headers):
                        conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                    conn.sendall(b"0\r\n\r\n")
                continue
            for _ in body_pieces(reader, headers):
                pass
            if path == "/chunked":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b"4\r\none \r\n4\r\ntwo \r\n6\r\nthree\n\r\n0\r\nX-Trailer: dropped\r\n\r\n")
            elif path == "/close":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil the close\n")
                return
            elif path == "/upgrade":
                conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
                echo(conn)
                return
            else:
                out = json.dumps({
                    "path": path,
                    "host": names.get("host"),
                    "proto": [v for n, v in headers if n == "x-forwarded-proto"],
                    "forwarded": [v for n, v in headers if n == "forwarded"],
                    "names": [n for n, _ in headers],
                }).encode() + b"\n"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
                             b"Keep-Alive: timeout=5\r\nX-Backend: h1\r\nContent-Length: %d\r\n\r\n%s" % (len(out), out))
    except (OSError, ValueError):
        pass
    finally:
        conn.close()
        print("DONE %s" % path, flush=True)


serve_connections(handle, backlog=256)
