"""A local HTTP/1.1 service for the inspector tests: every request except
`GET /count` is counted; its answer echoes the request body (de-chunked when
it came chunked) with `X-Request-Number`. `GET /count` answers the count so
far. `GET /bytes/N` answers N bytes of 'b'. Prints "PORT n" once listening."""
import http.server
import threading
from burrow_test_net import request_body, serve_http

lock = threading.Lock()
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        global count
        data = request_body(self)
        if self.command == "GET" and self.path == "/count":
            with lock:
                reply = str(count).encode()
        else:
            with lock:
                count += 1
                number = count
            reply = b"b" * int(self.path[7:]) if self.path.startswith("/bytes/") else data
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(reply)))
        if self.path != "/count":
            self.send_header("X-Request-Number", str(number))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = answer


serve_http(Handler)
