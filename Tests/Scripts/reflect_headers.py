"""An HTTP/1.1 server on 127.0.0.1 that answers every GET with the
forwarding headers it saw, as JSON. Prints "PORT n" once listening."""
import http.server

from burrow_test_net import send_json, serve_http


class Reflect(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        send_json(self, {
            "path": self.path,
            "host": self.headers.get("Host"),
            "proto": self.headers.get_all("X-Forwarded-Proto"),
            "forwarded": self.headers.get_all("Forwarded"),
        })


serve_http(Reflect)
