/// Where a mapping's visitors go on the PC: host and port.
/// Written as `HOST:PORT`, with IPv6 hosts in brackets (`[::1]:3000`).
public struct LocalAddress: Sendable, Hashable, TextCodable {
    public static let defaultHost = "127.0.0.1"

    public var host: String
    public var port: Int

    public init(host: String = LocalAddress.defaultHost, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `PORT` or `HOST:PORT` (or `[V6]:PORT`); the default host is 127.0.0.1.
    public init(parsing text: String) throws(CoreError) {
        let trimmed = text
        if trimmed.isEmpty { throw .invalidLocalAddress(text) }
        if trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) || !trimmed.contains(":") {
            self.init(host: LocalAddress.defaultHost, port: try LocalAddress.parsePort(trimmed))
            return
        }
        let host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { throw .invalidLocalAddress(text) }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .invalidLocalAddress(text) }
            portText = rest.dropFirst()
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else { throw .invalidLocalAddress(text) }
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
            if host.contains(":") { throw .invalidLocalAddress(text) }  // bare IPv6 needs brackets
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw .invalidLocalAddress(text)
        }
        self.init(host: String(host), port: try LocalAddress.parsePort(String(portText)))
    }

    /// Parses a TCP/UDP port number, 1–65535.
    public static func parsePort(_ text: String) throws(CoreError) -> Int {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(text), (1...65535).contains(port)
        else { throw .invalidPort(text) }
        return port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

}
