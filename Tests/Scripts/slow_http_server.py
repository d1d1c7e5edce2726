# A local service whose one answer takes about three seconds: ten pieces of
# 1000 bytes, 0.3 s apart (Content-Length set), to keep a visitor open while
# the engine is stopped. Prints "PORT n" once listening.
import http.server, time
from burrow_test_net import serve_http

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", "10000")
        self.end_headers()
        for _ in range(10):
            self.wfile.write(b"x" * 1000)
            self.wfile.flush()
            time.sleep(0.3)

serve_http(Handler)
