"""A raw HTTP/2 client for the relay's tests: opens a POST /echo stream
(Content-Length 100, only 10 bytes sent), waits for the response head,
resets the stream (RST_STREAM CANCEL), then asks GET /headers on a second
stream of the same connection and keeps the connection open.

Usage: h2_reset_client.py PORT NAME CAFILE. Prints "RESPONSE 1 <status
byte>", "RESET 1", "RESPONSE 3 <status byte>" (0x88 is HPACK's ":status:
200"), then "OPEN" and sleeps until killed."""
import socket
import ssl
import struct
import sys
import time

port, name, cafile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
ctx.set_alpn_protocols(["h2"])
sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=60), server_hostname=name)
assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def literal(field, value):
    # HPACK literal header field without indexing, new name, no Huffman.
    field, value = field.encode(), value.encode()
    return b"\x00" + bytes([len(field)]) + field + bytes([len(value)]) + value


def headers(stream, method, path, extra=(), end=False):
    block = literal(":method", method) + literal(":scheme", "https") + literal(":authority", name) + literal(":path", path)
    for field, value in extra:
        block += literal(field, value)
    return frame(0x1, 0x4 | (0x1 if end else 0), stream, block)


buffered = b""


def read_frame():
    global buffered
    while len(buffered) < 9:
        data = sock.recv(65536)
        if not data:
            raise SystemExit("connection closed")
        buffered += data
    length = struct.unpack(">I", b"\x00" + buffered[:3])[0]
    while len(buffered) < 9 + length:
        data = sock.recv(65536)
        if not data:
            raise SystemExit("connection closed")
        buffered += data
    kind, flags, stream = buffered[3], buffered[4], struct.unpack(">I", buffered[5:9])[0] & 0x7FFFFFFF
    payload = buffered[9:9 + length]
    buffered = buffered[9 + length:]
    if kind == 0x4 and not flags & 0x1:
        sock.sendall(frame(0x4, 0x1, 0))  # SETTINGS ACK
    return kind, flags, stream, payload


def await_headers(stream):
    while True:
        kind, _, got, payload = read_frame()
        if kind == 0x1 and got == stream:
            print("RESPONSE %d 0x%02x" % (stream, payload[0]), flush=True)
            return
        if kind == 0x3 and got == stream:
            raise SystemExit("stream %d reset by the relay" % stream)


sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(0x4, 0, 0))
sock.sendall(headers(1, "POST", "/echo", [("content-length", "100")]) + frame(0x0, 0, 1, b"0123456789"))
await_headers(1)
sock.sendall(frame(0x3, 0, 1, struct.pack(">I", 0x8)))  # RST_STREAM CANCEL
print("RESET 1", flush=True)
sock.sendall(headers(3, "GET", "/headers", end=True))
await_headers(3)
print("OPEN", flush=True)
while True:
    time.sleep(1)
    sock.setblocking(False)
    try:
        if sock.recv(65536) == b"":
            print("CLOSED", flush=True)
            break
    except (BlockingIOError, ssl.SSLWantReadError):
        pass
    sock.setblocking(True)
