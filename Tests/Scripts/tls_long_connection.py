import socket, ssl, sys, threading, time

mode = sys.argv[1]
if mode == "server":
    # Line protocol: "slow N" answers "late" after N seconds; anything else is echoed as "pong ...".
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print("PORT", listener.getsockname()[1], flush=True)

    def serve(connection):
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                lines = tls.makefile("rb")
                for line in lines:
                    command = line.strip()
                    if command.startswith(b"slow "):
                        time.sleep(float(command[5:]))
                        tls.sendall(b"late\n")
                    else:
                        tls.sendall(b"pong " + command + b"\n")
        except (OSError, ssl.SSLError):
            pass

    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()
elif mode == "client":
    port, name = int(sys.argv[2]), sys.argv[3]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    results = {}

    def connect():
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        return context.wrap_socket(raw, server_hostname=name)

    def slow():
        start = time.time()
        try:
            tls = connect()
            tls.sendall(b"slow 13\n")
            answer = tls.makefile("rb").readline().strip()
            results["slow"] = "%s %.1f" % (answer.decode() or "closed", time.time() - start)
        except (OSError, ssl.SSLError) as error:
            results["slow"] = "error %.1f %s" % (time.time() - start, type(error).__name__)

    def keepalive():
        start, answered = time.time(), 0
        try:
            tls = connect()
            lines = tls.makefile("rb")
            for index in range(8):
                tls.sendall(b"ping %d\n" % index)
                if lines.readline().strip() != b"pong ping %d" % index:
                    break
                answered += 1
                time.sleep(2)
        except (OSError, ssl.SSLError):
            pass
        results["keepalive"] = "%d %.1f" % (answered, time.time() - start)

    threads = [threading.Thread(target=slow), threading.Thread(target=keepalive)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("SLOW", results["slow"], flush=True)
    print("KEEPALIVE", results["keepalive"], flush=True)
