import socket, sys, threading
from burrow_test_net import listen, pipe
spec = sys.argv[1]
def target():
    # A number, or a file holding one (read at each connection: retargetable).
    return int(spec) if spec.isdigit() else int(open(spec).read())
listener = listen()
while True:
    client, _ = listener.accept()
    try:
        upstream = socket.create_connection(("127.0.0.1", target()))
    except OSError:
        client.close()
        continue
    # Each direction, once it ends, shuts both sockets down.
    threading.Thread(target=pipe, args=(client, upstream, True), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client, True), daemon=True).start()
