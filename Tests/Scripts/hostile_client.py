import os, resource, select, socket, sys, time

def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=60)

def read_all(sock, limit=1 << 20):
    data = b""
    try:
        while len(data) < limit:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data

mode, port = sys.argv[1], int(sys.argv[2])
if mode == "raw":
    # Sends the payload file's bytes, then reads what comes back until the relay closes.
    payload = open(sys.argv[3], "rb").read()
    sock = connect(port)
    start = time.time()
    try:
        sock.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    reply = read_all(sock)
    first = reply.split(b"\r\n", 1)[0].decode("latin-1")
    print("REPLY %r %d %.2f" % (first, len(reply), time.time() - start), flush=True)
elif mode == "slowloris":
    # A head that never ends: one header line every 200 ms.
    sock = connect(port)
    start = time.time()
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x.localhost\r\n")
    sock.setblocking(False)
    reply = b""
    while time.time() - start < 30:
        ready, _, _ = select.select([sock], [], [], 0.2)
        if ready:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            reply += chunk
            continue
        try:
            sock.sendall(b"X-Dribble: 1\r\n")
        except (BrokenPipeError, ConnectionResetError):
            break
    first = reply.split(b"\r\n", 1)[0].decode("latin-1")
    print("REPLY %r %d %.2f" % (first, len(reply), time.time() - start), flush=True)
elif mode == "burst":
    # N GETs as fast as possible, each on a new connection; counts the status codes.
    count, host = int(sys.argv[3]), sys.argv[4]
    codes = {}
    for _ in range(count):
        sock = connect(port)
        sock.sendall(("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % host).encode())
        reply = read_all(sock, 4096)
        code = reply.split(b" ", 2)[1].decode() if reply.startswith(b"HTTP/") else "closed"
        codes[code] = codes.get(code, 0) + 1
        sock.close()
    print("CODES " + " ".join("%s=%d" % item for item in sorted(codes.items())), flush=True)
elif mode == "proxy":
    # A TCP proxy to the port given; a test freezes it (SIGSTOP) to make a
    # path that stops answering without closing.
    import threading
    from burrow_test_net import listen, pipe
    target = int(sys.argv[3])
    listener = listen(port)
    while True:
        client, _ = listener.accept()
        upstream = socket.create_connection(("127.0.0.1", target))
        threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
elif mode == "burst-echo":
    # N visitors connect at the same moment and each echoes 4 KB.
    import asyncio
    count = int(sys.argv[3])
    async def one():
        data = os.urandom(4096)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(data)
            await writer.drain()
            writer.write_eof()
            got = await asyncio.wait_for(reader.read(-1), 30)
            writer.close()
            return got == data
        except (OSError, asyncio.TimeoutError):
            return False
    async def main():
        return await asyncio.gather(*[one() for _ in range(count)])
    results = asyncio.run(main())
    print("ECHOED %d of %d" % (sum(results), count), flush=True)
elif mode == "idle":
    # Opens N connections that never send; reports how many the relay closed, and when.
    count = int(sys.argv[3])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = []
    for _ in range(count):
        s = socket.socket()
        s.setblocking(True)
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        socks.append(s)
    print("OPEN %d" % len(socks), flush=True)
    start = time.time()
    poller = select.epoll()
    for s in socks:
        poller.register(s.fileno(), select.EPOLLIN | select.EPOLLHUP | select.EPOLLRDHUP)
    closed = 0
    while closed < count and time.time() - start < float(sys.argv[4]):
        for fd, _ in poller.poll(0.5):
            poller.unregister(fd)
            closed += 1
    print("CLOSED %d %.2f" % (closed, time.time() - start), flush=True)
elif mode == "ssh-hold":
    # Opens N SSH connections one after another that send a client banner and
    # never log in; prints what the relay said first on each (its banner, or
    # closed), then holds them open for at most argv[4] seconds (or until killed).
    count, hold = int(sys.argv[3]), float(sys.argv[4])
    socks = []
    for i in range(count):
        s = connect(port)
        try:
            s.sendall(b"SSH-2.0-HoldingPattern_1.0\r\n")
            first = s.recv(256)
        except (ConnectionResetError, BrokenPipeError, socket.timeout):
            first = b""
        print("SSH %d %s" % (i + 1, "banner" if first.startswith(b"SSH-2.0-") else "closed"), flush=True)
        socks.append(s)
    print("HELD", flush=True)
    time.sleep(hold)
