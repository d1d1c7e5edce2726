import select, socket, sys, time
port, count, wait = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for index in range(count):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /held-%d HTTP/1.1\r\nHost: web.localhost\r\n\r\n" % index)
    reply = b""
    while b"\r\n\r\n" not in reply or not reply.endswith(b"body=0"):
        data = sock.recv(65536)
        if not data:
            break
        reply += data
    if not reply.startswith(b"HTTP/1.1 200"):
        print("FAILED", reply[:80], flush=True)
        sys.exit(1)
    socks.append(sock)
print("READY", flush=True)
time.sleep(wait)
closed = 0
for sock in socks:
    readable, _, _ = select.select([sock], [], [], 0)
    if readable and sock.recv(1) == b"":
        closed += 1
print("CLOSED %d" % closed, flush=True)
