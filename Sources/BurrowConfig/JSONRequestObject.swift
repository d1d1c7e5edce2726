import BurrowCore

/// The fields of a JSON object sent to the engine's local API (a request
/// body), read by the same strict parser as Burrow's files: line:column in
/// every error, duplicate keys refused, `rejectUnknown` for typos. Errors are
/// `ConfigError.syntax` / `.invalidField` / `.unknownField` naming `field`.
public struct JSONRequestObject: Sendable {
    private let reader: JSONObjectReader

    /// Parses `bytes` (an empty body is `{}`); `source` names it in errors ("request body").
    public init(parsing bytes: [UInt8], source: String = "request body") throws(ConfigError) {
        let text = bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } ? Array("{}".utf8) : bytes
        reader = try JSONObjectReader.root(text, file: source)
    }

    private init(reader: JSONObjectReader) {
        self.reader = reader
    }

    /// The keys present, in order (null values included).
    public var keys: [String] {
        guard case .object(let members) = reader.node.value else { return [] }
        return members.map(\.key)
    }

    /// True when `key` is present, even as `null` (PATCH: null clears a field).
    public func contains(_ key: String) -> Bool { keys.contains(key) }

    public func rejectUnknown(allowed: Set<String>) throws(ConfigError) { try reader.rejectUnknown(allowed: allowed) }
    public func string(_ key: String) throws(ConfigError) -> String? { try reader.string(key) }
    public func int(_ key: String) throws(ConfigError) -> Int? { try reader.int(key) }
    public func port(_ key: String) throws(ConfigError) -> Int? { try reader.port(key) }
    public func bool(_ key: String) throws(ConfigError) -> Bool? { try reader.bool(key) }
    public func label(_ key: String) throws(ConfigError) -> String? { try reader.label(key) }
    public func object(_ key: String) throws(ConfigError) -> JSONRequestObject? {
        try reader.object(key).map { JSONRequestObject(reader: $0) }
    }

    /// An array of strings, each checked by `parse` (errors name `key[i]`).
    public func strings<T>(_ key: String, _ parse: (String) throws -> T) throws(ConfigError) -> [T]? {
        guard let nodes = try reader.array(key) else { return nil }
        var result: [T] = []
        for (index, node) in nodes.enumerated() {
            let path = reader.fieldPath("\(key)[\(index)]")
            let location = JSONObjectReader.location(reader.file, node.line, node.column)
            guard case .string(let text) = node.value else {
                throw .invalidField(file: location, field: path, message: "expected a string, found \(node.kindName)")
            }
            do { result.append(try parse(text)) } catch {
                throw .invalidField(file: location, field: path, message: "\(error)")
            }
        }
        return result
    }

    /// An array of arrays of two strings (`[["Accept","*/*"]]`: header fields).
    public func stringPairs(_ key: String) throws(ConfigError) -> [(String, String)]? {
        guard let nodes = try reader.array(key) else { return nil }
        var result: [(String, String)] = []
        for (index, node) in nodes.enumerated() {
            guard case .array(let pair) = node.value, pair.count == 2,
                  case .string(let first) = pair[0].value, case .string(let second) = pair[1].value else {
                throw .invalidField(
                    file: JSONObjectReader.location(reader.file, node.line, node.column),
                    field: reader.fieldPath("\(key)[\(index)]"), message: "expected [\"name\", \"value\"]")
            }
            result.append((first, second))
        }
        return result
    }

    /// An error about `key`, at its place in the body.
    public func fail(_ key: String, _ message: String) -> ConfigError { reader.fail(key, message) }
}
