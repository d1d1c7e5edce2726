import NIOHPACK

/// Turns an HTTP/2 request's header block into the head of the HTTP/1.1
/// request that goes through the relay's HTTP pipeline to the agent (RFC
/// 9113 §8.3.1): `:method` and `:path` make the request line, `:authority`
/// the `Host` (a `host` field beside it is dropped: the relay routes by
/// `:authority`), split `cookie` fields are joined again (§8.2.3), and
/// fields that mean something only to one hop are left out. The body
/// framing line (`Content-Length` as sent, else chunked) and the empty line
/// are the caller's: it knows whether a body follows.
///
/// NIOHTTP2 already refuses malformed blocks (uppercase names, connection
/// fields, CR/LF/NUL in values); this checks again whatever would otherwise
/// become a second request line or header in HTTP/1.1 bytes, so no HTTP/2
/// request can smuggle one to the service.
enum HTTP2RequestTranslator {
    struct Request: Equatable {
        let method: String
        /// The request line and header lines, each ending in CR LF.
        let lines: String
        let hasContentLength: Bool

        var isHEAD: Bool { method == "HEAD" }
    }

    /// A request the relay answers itself with `status`.
    struct Refusal: Error, Equatable {
        let status: Int
        let reason: String
    }

    /// Fields of one connection, not the request (RFC 9113 §8.2.2, RFC 9110 §7.6.1).
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "http2-settings",
    ]

    static func request(_ headers: HPACKHeaders) throws(Refusal) -> Request {
        var method: String?
        var path: String?
        var authority: String?
        var host: String?
        var cookies: [String] = []
        var fields: [(String, String)] = []
        var hasContentLength = false
        for (name, value, _) in headers {
            switch name {
            case ":method": method = value
            case ":path": path = value
            case ":authority": authority = value
            case ":scheme": continue
            case ":protocol": throw Refusal(status: 501, reason: "extended CONNECT (:protocol) is not supported")
            default:
                guard !name.hasPrefix(":") else { throw Refusal(status: 400, reason: "unknown pseudo-header \(name)") }
                guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else { throw Refusal(status: 400, reason: "a bad field name") }
                guard value.utf8.allSatisfy(isValueByte) else { throw Refusal(status: 400, reason: "a bad value in \(name)") }
                let lowered = name.lowercased()
                if hopByHop.contains(lowered) { continue }
                switch lowered {
                case "host": host = value
                case "cookie": cookies.append(value)
                case "content-length":
                    hasContentLength = true
                    fields.append((lowered, value))
                default: fields.append((lowered, value))
                }
            }
        }
        guard let method, !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else {
            throw Refusal(status: 400, reason: "a missing or bad :method")
        }
        guard method != "CONNECT" else { throw Refusal(status: 501, reason: "CONNECT is not supported over HTTP/2") }
        guard let path, path.hasPrefix("/") || (path == "*" && method == "OPTIONS"), path.utf8.allSatisfy(isTargetByte) else {
            throw Refusal(status: 400, reason: "a missing or bad :path")
        }
        var lines = "\(method) \(path) HTTP/1.1\r\n"
        if let target = authority ?? host {
            // userinfo is not allowed in an http(s) authority (RFC 9113 §8.3.1).
            guard !target.isEmpty, target.utf8.allSatisfy({ isTargetByte($0) && $0 != UInt8(ascii: "@") && $0 != UInt8(ascii: "/") })
            else { throw Refusal(status: 400, reason: "a bad :authority") }
            lines += "host: \(target)\r\n"
        }
        if !cookies.isEmpty { lines += "cookie: \(cookies.joined(separator: "; "))\r\n" }
        for (name, value) in fields { lines += "\(name): \(value)\r\n" }
        return Request(method: method, lines: lines, hasContentLength: hasContentLength)
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// Visible ASCII, SP and HTAB, and obs-text; never CR, LF or NUL.
    static func isValueByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte != 0x7F)
    }

    /// A request target or authority byte: visible ASCII only (no space, no controls).
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }
}
