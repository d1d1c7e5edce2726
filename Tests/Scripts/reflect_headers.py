"""An HTTP/1.1 server on 127.0.0.1 that answers every GET with the
forwarding headers it saw, as JSON. Prints "PORT n" once listening."""
import http.server
import json
import socketserver
import sys


class Reflect(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        out = json.dumps({
            "path": self.path,
            "host": self.headers.get("Host"),
            "proto": self.headers.get_all("X-Forwarded-Proto"),
            "forwarded": self.headers.get_all("Forwarded"),
        }).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Reflect)
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
