"""A pool member's local service: answers every HTTP request with its own
name (argv[1]) as the body, so a test sees which member served a visitor.
argv[2]: the port (0 = any); prints "PORT n" once listening."""
import http.server
import sys

from burrow_test_net import serve_http

NAME = sys.argv[1].encode()
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(NAME)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(NAME)

    def log_message(self, *args):
        pass


serve_http(Handler, PORT)
