import NIOHTTP1

/// What every request head must be before the relay routes or forwards it
/// (RFC 9112 §3.2, §6.3), as nginx and HAProxy insist: one `Host`, a host
/// name and nothing else in it, and a body length nobody can read two ways.
/// The relay and the local service must never disagree on where a request
/// ends, or the rest of one request reaches the service as the next.
enum HTTPRequestCheck {
    /// Why the relay refuses `head` with 400, or nil when it is fine.
    static func problem(_ head: HTTPRequestHead) -> String? {
        let hosts = head.headers["host"]
        if hosts.count > 1 {
            return "The request has more than one Host header."
        }
        if let host = hosts.first, !isHostName(host) {
            return "The Host header must be a host name with an optional port."
        }
        let encodings = head.headers["transfer-encoding"]
        let lengths = head.headers["content-length"]
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
    static func isHostName(_ value: String) -> Bool {
        var host = Substring(value)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let address = host[host.index(after: host.startIndex)..<close]
            guard !address.isEmpty, address.utf8.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return false }
            host = host[host.index(after: close)...]
            guard host.isEmpty || host.hasPrefix(":") else { return false }
            return isPort(host.dropFirst())
        }
        if let colon = host.firstIndex(of: ":") {
            guard isPort(host[host.index(after: colon)...]) else { return false }
            host = host[..<colon]
        }
        return !host.isEmpty && host.utf8.allSatisfy { byte in
            isLetter(byte) || (48...57).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    private static func isPort(_ text: Substring) -> Bool {
        text.count <= 5 && text.utf8.allSatisfy { (48...57).contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
