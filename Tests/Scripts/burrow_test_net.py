"""Pieces the test scripts share. Each script imports this module from its
own folder (TestScripts.install copies it next to the script)."""
import json
import socket
import socketserver


def pipe(a, b, shut_down=False):
    """Copies bytes from socket a to socket b until EOF or an error; with
    shut_down, then shuts both sockets down (the other direction ends too)."""
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    if shut_down:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def listen(port=0):
    """A TCP listener on 127.0.0.1:port; prints "PORT n" once listening."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    print("PORT", listener.getsockname()[1], flush=True)
    return listener


def echo(sock):
    """Sends back what `sock` receives until EOF."""
    while True:
        data = sock.recv(65536)
        if not data:
            break
        sock.sendall(data)


def serve_tcp(handler, backlog=1024):
    """A threading TCP server on 127.0.0.1 (OS-chosen port) with `handler`
    (a socketserver.BaseRequestHandler); prints "PORT n", serves forever."""
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    socketserver.ThreadingTCPServer.request_queue_size = backlog  # bursts of visitors
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


def send_json(handler, value):
    """Answers an http.server request with 200 and `value` as one JSON line."""
    out = json.dumps(value).encode() + b"\n"
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(out)))
    handler.end_headers()
    handler.wfile.write(out)
