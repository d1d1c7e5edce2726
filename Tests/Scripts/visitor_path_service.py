import time
from burrow_test_net import chunked_pieces, echo, header_lines, serve_connections

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
            for name, value in header_lines(reader):
                headers.setdefault(name, []).append(value)
            body = b""
            if "transfer-encoding" in headers:
                body = b"".join(chunked_pieces(reader))
            elif "content-length" in headers:
                body = reader.read(int(headers["content-length"][0]))
            xff = ",".join(headers.get("x-forwarded-for", []))
            print("SEEN %s %s xff=%s host=%s body=%d" % (method.decode(), path.decode(), xff, ",".join(headers.get("host", [])), len(body)), flush=True)
            if method == b"CONNECT":
                conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                continue
            if path == b"/accept":
                conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
                echo(conn)
                return
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

serve_connections(handle)
