import BurrowCore

/// `STATE_DIR/reservations.json`: the names and TCP ports each client key
/// holds on a relay, written by the relay (and `burrow serve reservations rm`).
/// Strict like every Burrow file: `"version": 1`, unknown fields rejected, and
/// a file that parses but is wrong (an invalid or reserved name, a port below
/// 1024) is one `ConfigError` naming file:line:column and the field.
///
/// ```json
/// {
///   "keys": {
///     "SHA256:…": { "autoName": "calm-otter", "names": ["calm-otter", "demo"],
///                   "ports": [{ "label": "db", "port": 20042 }] }
///   },
///   "version": 1
/// }
/// ```
public struct ReservationsFile: Sendable, Equatable {
    public struct Key: Sendable, Equatable {
        /// HTTP names this key holds.
        public var names: [String] = []
        /// The name the relay picked for this key's unnamed HTTP forward.
        public var autoName: String?
        /// TCP ports this key holds, each under the bind address it asked with.
        public var ports: [Port] = []

        public init() {}
    }

    public struct Port: Sendable, Equatable {
        public var label: String
        public var port: Int

        public init(label: String, port: Int) {
            self.label = label
            self.port = port
        }
    }

    public static let version = 1
    /// Ports below this are never handed out (nor accepted by `--ports`).
    public static let lowestPort = 1024

    /// By key fingerprint (`SHA256:…`).
    public var keys: [String: Key] = [:]

    public init() {}

    /// The lock file every writer of `path` holds while it writes.
    public static func lockPath(for path: String) -> String {
        AtomicFile.parentDirectory(of: path) + "/.reservations.lock"
    }

    /// Reads `path`; an empty file when it does not exist. `reservedNames`
    /// (relay.json) may not be held by any key.
    public static func load(path: String, reservedNames: Set<String> = []) throws(ConfigError) -> ReservationsFile {
        guard let bytes = try AtomicFile.read(path) else { return ReservationsFile() }
        return try parse(bytes, file: path, reservedNames: reservedNames)
    }

    public static func parse(_ bytes: [UInt8], file: String, reservedNames: Set<String> = []) throws(ConfigError) -> ReservationsFile {
        let root = try JSONFile.parse(bytes, file: file, version: version, fields: ["keys"])
        var result = ReservationsFile()
        guard let keys = try root.object("keys") else { return result }
        guard case .object(let members) = keys.node.value else { return result }
        for member in members {
            let field = "keys.\(member.key)"
            guard member.key.hasPrefix("SHA256:"), member.key.count > 7 else {
                throw .invalidField(
                    file: JSONObjectReader.location(file, member.keyLine, member.keyColumn), field: field,
                    message: "not a key fingerprint; expected 'SHA256:…' as `ssh-keygen -lf` prints it")
            }
            let entry = try JSONObjectReader(file: file, path: field, node: member.value)
            try entry.rejectUnknown(allowed: ["names", "autoName", "ports"])
            var key = Key()
            for (index, node) in (try entry.array("names") ?? []).enumerated() {
                key.names.append(try name(node, file: file, field: "\(field).names[\(index)]", reservedNames: reservedNames))
            }
            if let node = entry.member("autoName") {
                key.autoName = try name(node, file: file, field: "\(field).autoName", reservedNames: reservedNames)
            }
            for (index, node) in (try entry.array("ports") ?? []).enumerated() {
                let port = try JSONObjectReader(file: file, path: "\(field).ports[\(index)]", node: node)
                try port.rejectUnknown(allowed: ["label", "port"])
                let label = try port.requiredString("label")
                guard let number = try port.int("port") else { throw port.fail("port", "missing; it is required") }
                guard (lowestPort...65535).contains(number) else {
                    throw port.fail("port", "port \(number) cannot be reserved: use \(lowestPort) to 65535")
                }
                key.ports.append(Port(label: label, port: number))
            }
            result.keys[member.key] = key
        }
        return result
    }

    private static func name(_ node: JSONNode, file: String, field: String, reservedNames: Set<String>) throws(ConfigError) -> String {
        let at = JSONObjectReader.location(file, node.line, node.column)
        guard case .string(let text) = node.value else {
            throw .invalidField(file: at, field: field, message: "expected a string, found \(node.kindName)")
        }
        do {
            try DNSLabel.validate(text)
        } catch {
            throw .invalidField(file: at, field: field, message: error.description)
        }
        guard !reservedNames.contains(text) else {
            throw .invalidField(file: at, field: field, message: "'\(text)' is reserved on this relay (relay.json reservedNames)")
        }
        return text
    }

    /// Writes the file atomically (mode 0600).
    public func write(to path: String) throws(ConfigError) {
        let keys: [(String, JSONNode.Value)] = keys.map { fingerprint, key in
            var fields: [(String, JSONNode.Value)] = [
                ("names", .array(key.names.map { JSONNode(.string($0)) })),
                ("ports", .array(key.ports.map { JSONNode(.fields([("label", .string($0.label)), ("port", .number(String($0.port)))])) })),
            ]
            if let auto = key.autoName { fields.append(("autoName", .string(auto))) }
            return (fingerprint, .fields(fields))
        }
        try JSONFile.write([("keys", .fields(keys))], version: Self.version, to: path, mode: 0o600)
    }
}
