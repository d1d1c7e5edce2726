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
