# A local service whose one answer takes about three seconds: ten pieces of
# 1000 bytes, 0.3 s apart (Content-Length set), to keep a visitor open while
# the engine is stopped. Prints "PORT n" once listening.
import http.server, socketserver, time

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

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

server = Server(("127.0.0.1", 0), Handler)
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
