import socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
sock = socket.create_connection(("127.0.0.1", port), timeout=60)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sock.sendall(b"POST /tiny HTTP/1.1\r\nHost: web.localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
for _ in range(count):
    sock.sendall(b"1\r\nx\r\n")
sock.sendall(b"0\r\n\r\n")
print("SENT", flush=True)
reply = b""
while b"body=" not in reply:
    data = sock.recv(65536)
    if not data:
        break
    reply += data
print("REPLY %s" % reply.decode("latin-1").replace("\r\n", " | "), flush=True)
