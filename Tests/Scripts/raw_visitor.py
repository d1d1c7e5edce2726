import re, socket, sys, time

# Sends the payload file to 127.0.0.1:PORT, pausing 0.3 s at each "<PAUSE>",
# then reads until the relay closes or WAIT seconds pass. Prints the status
# codes of every response seen, CLOSED or OPEN, and the seconds it took.
port, wait = int(sys.argv[1]), float(sys.argv[2])
parts = open(sys.argv[3], "rb").read().split(b"<PAUSE>")
sock = socket.create_connection(("127.0.0.1", port), timeout=wait)
start = time.time()
try:
    for index, part in enumerate(parts):
        if index:
            time.sleep(0.3)
        sock.sendall(part)
except OSError:
    pass
reply, closed = b"", False
sock.settimeout(max(0.1, wait - (time.time() - start)))
try:
    while True:
        data = sock.recv(65536)
        if not data:
            closed = True
            break
        reply += data
except socket.timeout:
    pass
except OSError:
    closed = True
codes = " ".join(code.decode() for code in re.findall(rb"HTTP/1\.[01] (\d{3}) ", reply)) or "-"
print("REPLY %s %s %.2f" % (codes, "CLOSED" if closed else "OPEN", time.time() - start), flush=True)
