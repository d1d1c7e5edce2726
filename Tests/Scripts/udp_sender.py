import json, socket, sys
port, count, address = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
family = socket.AF_INET6 if ":" in address else socket.AF_INET
socks, answered = [], 0
for index in range(count):
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(3)
    payload = b"flow %d" % index
    sock.sendto(payload, (address, port))
    try:
        if sock.recv(65535) == payload:
            answered += 1
    except socket.timeout:
        pass
    socks.append(sock)
print(json.dumps({"answered": answered}), flush=True)
