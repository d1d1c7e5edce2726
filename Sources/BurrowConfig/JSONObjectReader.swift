import BurrowCore

/// Reads the fields of one JSON object from a config file, turning every
/// problem into a `ConfigError` that names the file, line:column and the
/// field path (`mappings[2].local`).
struct JSONObjectReader {
    let file: String
    /// The field path of this object ("" for the top level).
    let path: String
    let node: JSONNode
    private let members: [JSONNode.Member]

    init(file: String, path: String, node: JSONNode) throws(ConfigError) {
        guard case .object(let members) = node.value else {
            throw ConfigError.invalidField(
                file: JSONObjectReader.location(file, node.line, node.column),
                field: path.isEmpty ? "(top level)" : path,
                message: "expected an object, found \(node.kindName)")
        }
        self.file = file
        self.path = path
        self.node = node
        self.members = members
    }

    static func location(_ file: String, _ line: Int, _ column: Int) -> String {
        "\(file):\(line):\(column)"
    }

    func fieldPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Fails on the first field not in `allowed` (a typo must not be ignored silently).
    func rejectUnknown(allowed: Set<String>) throws(ConfigError) {
        for member in members where !allowed.contains(member.key) {
            throw .unknownField(file: JSONObjectReader.location(file, member.keyLine, member.keyColumn), field: fieldPath(member.key))
        }
    }

    func member(_ key: String) -> JSONNode? {
        guard let node = members.first(where: { $0.key == key })?.value else { return nil }
        if case .null = node.value { return nil }
        return node
    }

    func fail(_ key: String, _ message: String) -> ConfigError {
        let at = member(key) ?? node
        return .invalidField(file: JSONObjectReader.location(file, at.line, at.column), field: fieldPath(key), message: message)
    }

    func string(_ key: String) throws(ConfigError) -> String? {
        guard let node = member(key) else { return nil }
        guard case .string(let text) = node.value else { throw fail(key, "expected a string, found \(node.kindName)") }
        return text
    }

    func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let text = try string(key) else { throw fail(key, "missing; it is required") }
        return text
    }

    func int(_ key: String) throws(ConfigError) -> Int? {
        guard let node = member(key) else { return nil }
        guard case .number(let text) = node.value, let value = Int(text) else {
            throw fail(key, "expected a whole number, found \(node.kindName)")
        }
        return value
    }

    func port(_ key: String) throws(ConfigError) -> Int? {
        guard let value = try int(key) else { return nil }
        guard (1...65535).contains(value) else { throw fail(key, "invalid port \(value): use a number from 1 to 65535") }
        return value
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let node = member(key) else { return nil }
        guard case .bool(let value) = node.value else { throw fail(key, "expected true or false, found \(node.kindName)") }
        return value
    }

    func array(_ key: String) throws(ConfigError) -> [JSONNode]? {
        guard let node = member(key) else { return nil }
        guard case .array(let elements) = node.value else { throw fail(key, "expected an array, found \(node.kindName)") }
        return elements
    }

    func object(_ key: String) throws(ConfigError) -> JSONObjectReader? {
        guard let node = member(key) else { return nil }
        return try JSONObjectReader(file: file, path: fieldPath(key), node: node)
    }

    /// A DNS label (a mapping's or profile's name), if present.
    func label(_ key: String) throws(ConfigError) -> String? {
        guard let text = try string(key) else { return nil }
        do { try DNSLabel.validate(text) } catch { throw fail(key, error.description) }
        return text
    }

    func requiredLabel(_ key: String) throws(ConfigError) -> String {
        _ = try requiredString(key)
        return try label(key) ?? ""
    }

    /// The objects of array `key`, each read by `read`; two with the same
    /// `name` are refused at the second (`what`: "mapping", "profile").
    func namedObjects<Element>(
        _ key: String, what: String, name: (Element) -> String, read: (JSONObjectReader) throws(ConfigError) -> Element
    ) throws(ConfigError) -> [Element] {
        var seen: Set<String> = []
        var result: [Element] = []
        for (index, node) in (try array(key) ?? []).enumerated() {
            let object = try JSONObjectReader(file: file, path: fieldPath("\(key)[\(index)]"), node: node)
            let element = try read(object)
            guard seen.insert(name(element)).inserted else {
                throw object.fail("name", "duplicate \(what) name '\(name(element))'; \(what) names must be unique")
            }
            result.append(element)
        }
        return result
    }

    /// Checks `"version": 1`, the schema version every Burrow file carries.
    func checkVersion(_ supported: Int) throws(ConfigError) -> Int {
        guard let version = try int("version") else { throw fail("version", "missing; add \"version\": \(supported)") }
        guard version == supported else {
            throw fail("version", "unsupported version \(version); this burrow reads version \(supported) (was the file written by a newer burrow?)")
        }
        return version
    }

    /// Parses a whole file's bytes into the top-level object reader.
    static func root(_ bytes: [UInt8], file: String) throws(ConfigError) -> JSONObjectReader {
        let node: JSONNode
        do {
            node = try JSONParser.parse(bytes)
        } catch {
            throw .syntax(file: file, line: error.line, column: error.column, message: error.message)
        }
        return try JSONObjectReader(file: file, path: "", node: node)
    }
}
