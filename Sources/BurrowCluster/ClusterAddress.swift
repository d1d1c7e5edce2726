import BurrowConfig

/// Where the fleet's PostgreSQL is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?host=/socket/dir]`
/// (`postgresql://` too). With `?host=DIR` the server is reached on its
/// Unix socket `DIR/.s.PGSQL.PORT`, as libpq does. User and password may be
/// percent-encoded. The password is never shown: `description` masks it.
public struct ClusterAddress: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// The directory of the server's Unix socket, when the URL says `?host=/dir`.
    public var socketDirectory: String?

    /// The Unix socket's path, when reached by one.
    public var socketPath: String? {
        socketDirectory.map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/.s.PGSQL.\(port)" }
    }

    /// The URL with its password replaced by `***`: safe for logs and errors.
    public var description: String {
        let secret = password == nil ? "" : ":***"
        let query = socketDirectory.map { "?host=\($0)" } ?? ""
        return "postgres://\(user)\(secret)@\(host):\(port)/\(database)\(query)"
    }

    /// Parses a connection URL; the error never repeats the password.
    public static func parse(_ text: String) throws(ClusterError) -> ClusterAddress {
        let masked = mask(text)
        func bad(_ why: String) -> ClusterError {
            .badAddress("invalid --cluster '\(masked)': \(why); use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?host=/socket/dir]")
        }
        var rest = Substring(text)
        if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            throw bad("it does not start with postgres://")
        }
        var query: Substring?
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let at = rest.lastIndex(of: "@") else { throw bad("no USER@ before the host") }
        let credentials = rest[..<at]
        var server = rest[rest.index(after: at)...]
        let user: String
        var password: String?
        if let colon = credentials.firstIndex(of: ":") {
            user = try decode(credentials[..<colon], bad)
            password = try decode(credentials[credentials.index(after: colon)...], bad)
        } else {
            user = try decode(credentials, bad)
        }
        guard !user.isEmpty else { throw bad("the user is empty") }
        guard let slash = server.firstIndex(of: "/") else { throw bad("no /DATABASE after the host") }
        let database = try decode(server[server.index(after: slash)...], bad)
        guard !database.isEmpty else { throw bad("the database name is empty") }
        server = server[..<slash]
        var host = String(server)
        var port = 5432
        if let colon = server.lastIndex(of: ":"), !server.hasSuffix("]") {
            guard let number = Int(server[server.index(after: colon)...]), (1...65535).contains(number) else {
                throw bad("the port is not a number from 1 to 65535")
            }
            port = number
            host = String(server[..<colon])
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var socketDirectory: String?
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0] == "host" else {
                throw bad("unknown parameter '\(parts.first ?? "")' (only host=/socket/dir is understood)")
            }
            let directory = try decode(parts[1], bad)
            guard directory.hasPrefix("/") else { throw bad("host= must be an absolute socket directory") }
            socketDirectory = directory
        }
        if host.isEmpty {
            guard socketDirectory != nil else { throw bad("the host is empty") }
            host = "localhost"
        }
        return ClusterAddress(
            user: user, password: password, host: host, port: port, database: database, socketDirectory: socketDirectory)
    }

    /// `text` with anything between `://USER:` and the last `@` replaced by
    /// `***`: for echoing what the user typed, even when it does not parse.
    public static func mask(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let afterScheme = text[scheme.upperBound...]
        guard let at = afterScheme.lastIndex(of: "@") else { return text }
        let credentials = afterScheme[..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    private static func decode(_ text: Substring, _ bad: (String) -> ClusterError) throws(ClusterError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else {
                throw bad("a % is not followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
