/// The address the public uses to reach a mapping:
/// `http://NAME.DOMAIN[:PORT]`, `https://NAME.DOMAIN[:PORT]`, `tcp://HOST:PORT`, `udp://HOST:PORT`.
public struct PublicURL: Sendable, Hashable, TextCodable {
    public var scheme: String
    public var host: String
    /// nil when it is the scheme's default (80 for http, 443 for https).
    public var port: Int?

    public init(scheme: String, host: String, port: Int?) {
        self.scheme = scheme
        self.host = host
        if let port, (scheme == "http" && port == 80) || (scheme == "https" && port == 443) {
            self.port = nil
        } else {
            self.port = port
        }
    }

    /// The URL the relay hands out for a mapping of `protocol` named `name`.
    public static func forMapping(
        _ protocol: MappingProtocol, name: String, domain: String, publicHost: String, port: Int
    ) -> PublicURL {
        switch `protocol` {
        case .http: return PublicURL(scheme: "http", host: "\(name).\(domain)", port: port)
        case .tls: return PublicURL(scheme: "https", host: "\(name).\(domain)", port: port)
        case .tcp: return PublicURL(scheme: "tcp", host: publicHost, port: port)
        case .udp: return PublicURL(scheme: "udp", host: publicHost, port: port)
        }
    }

    public init(parsing text: String) throws(CoreError) {
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalidURL(text) }
        let scheme = String(parts[0])
        var rest = parts[1]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard ["http", "https", "tcp", "udp"].contains(scheme), !rest.isEmpty, !rest.contains("/") else {
            throw .invalidURL(text)
        }
        let host: Substring
        let port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            let digits = rest[rest.index(after: colon)...]
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits),
                  (1...65535).contains(number)
            else { throw .invalidURL(text) }
            host = rest[..<colon]
            port = number
        } else {
            host = rest
            port = nil
        }
        // What `description` writes must parse back to the same URL (found by
        // fuzzing: "http://wst::080" made a host "wst:" that printed as a URL
        // with an empty port). A host is a DNS name or address, or [IPv6].
        guard Self.isValidHost(host) else { throw .invalidURL(text) }
        self.init(scheme: scheme, host: String(host), port: port)
    }

    static func isValidHost(_ host: Substring) -> Bool {
        if host.hasPrefix("[") {
            let inner = host.dropFirst().dropLast()
            return host.hasSuffix("]") && !inner.isEmpty && inner.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return !host.isEmpty && host.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "." || $0 == "-" || $0 == "_" }
    }

    public var description: String {
        if let port { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }

}
