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
