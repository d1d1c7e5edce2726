import BurrowCore
import NIOCore

/// Writes a request to replay as HTTP/1.1 bytes for the local service: the
/// recorded (or edited) method, target and fields in order, framing fields
/// recomputed from the body (`Content-Length` set, `Transfer-Encoding`
/// dropped) and `Connection: close`. Anything that could split a line or
/// smuggle a second request is refused.
enum ReplayRequestEncoder {
    /// Fields the encoder sets itself.
    static let framingFields: Set<String> = ["content-length", "transfer-encoding", "connection", "keep-alive"]

    static func encode(_ request: HTTPReplayRequest, defaultHost: String, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(InspectorError) -> ByteBuffer {
        guard isToken(request.method) else { throw .notReplayable(reason: "the method '\(request.method)' is not an HTTP token") }
        guard !request.target.isEmpty, request.target.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw .notReplayable(reason: "the target '\(request.target)' has spaces or control characters")
        }
        var buffer = allocator.buffer(capacity: 256 + request.body.count)
        buffer.writeString("\(request.method) \(request.target) HTTP/1.1\r\n")
        var hasHost = false
        for field in request.headers {
            guard isToken(field.name) else { throw .notReplayable(reason: "the header name '\(field.name)' is not an HTTP token") }
            guard !field.value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
                throw .notReplayable(reason: "the value of header '\(field.name)' has control characters")
            }
            let name = field.name.lowercased()
            if framingFields.contains(name) { continue }
            if name == "host" { hasHost = true }
            buffer.writeString("\(field.name): \(field.value)\r\n")
        }
        if !hasHost { buffer.writeString("Host: \(defaultHost)\r\n") }
        if !request.body.isEmpty || !["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"].contains(request.method.uppercased()) {
            buffer.writeString("Content-Length: \(request.body.count)\r\n")
        }
        buffer.writeString("Connection: close\r\n\r\n")
        buffer.writeBytes(request.body)
        return buffer
    }

    /// RFC 9110 token characters.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
