import BurrowCore
import NIOHTTP1

/// What every request head must be before the relay routes or forwards it
/// (RFC 9112 §3.2, §6.3), as nginx and HAProxy insist: one `Host`, a host
/// name and nothing else in it, and a body length nobody can read two ways.
/// The relay and the local service must never disagree on where a request
/// ends, or the rest of one request reaches the service as the next.
enum HTTPRequestCheck {
    /// Why the relay refuses `head` with 400, or nil when it is fine. One
    /// pass over the headers, no arrays or lowercased copies for a request
    /// without a body (this runs for every request of a connection).
    static func problem(_ head: HTTPRequestHead) -> String? {
        var host: String?
        var hosts = 0
        var encodings: [String] = []
        var lengths: [String] = []
        for (name, value) in head.headers {
            if ASCIICase.equals(name.utf8, lowercase: "host") {
                hosts += 1
                if host == nil { host = value }
            } else if ASCIICase.equals(name.utf8, lowercase: "transfer-encoding") {
                encodings.append(value)
            } else if ASCIICase.equals(name.utf8, lowercase: "content-length") {
                lengths.append(value)
            }
        }
        if hosts > 1 {
            return "The request has more than one Host header."
        }
        if let host, !isHostName(host) {
            return "The Host header must be a host name with an optional port."
        }
        if !encodings.isEmpty {
            // Only exactly `chunked`: `xchunked`, `chunked<TAB>`, `"chunked"`,
            // `gzip, chunked` or two Transfer-Encoding lines are read
            // differently by different servers.
            guard encodings.count == 1, encodings[0].lowercased() == "chunked" else {
                return "The relay forwards only Transfer-Encoding: chunked; this request's body length is ambiguous."
            }
            guard lengths.isEmpty else {
                return "The request has both Transfer-Encoding and Content-Length; its body length is ambiguous."
            }
        }
        if !lengths.isEmpty {
            let values = lengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            guard let first = values.first, values.allSatisfy({ $0 == first }),
                  !first.isEmpty, first.count <= 18, first.utf8.allSatisfy({ (48...57).contains($0) })
            else {
                return "The request's Content-Length is not one decimal number; its body length is ambiguous."
            }
        }
        return nil
    }

    /// `name.example.com`, `name.example.com:8080`, `127.0.0.1:80`, `[::1]:80`:
    /// letters, digits, `.`, `-`, `_`, a bracketed IPv6 address, a numeric
    /// port. No user info (`alice:80@bob`), paths, spaces or control bytes.
    /// (Read as bytes: every allowed character is ASCII, so anything else fails.)
    static func isHostName(_ value: String) -> Bool {
        let bytes = value.utf8
        guard let first = bytes.first else { return false }
        if first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let address = bytes[bytes.index(after: bytes.startIndex)..<close]
            guard !address.isEmpty, address.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return false }
            let rest = bytes[bytes.index(after: close)...]
            guard let colon = rest.first else { return true }
            return colon == UInt8(ascii: ":") && isPort(rest.dropFirst())
        }
        var name = bytes[...]
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            guard isPort(bytes[bytes.index(after: colon)...]) else { return false }
            name = bytes[..<colon]
        }
        return !name.isEmpty && name.allSatisfy { byte in
            isLetter(byte) || (48...57).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    private static func isPort(_ text: Substring.UTF8View) -> Bool {
        text.count <= 5 && text.allSatisfy { (48...57).contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
