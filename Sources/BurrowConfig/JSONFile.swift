/// The one way Burrow reads and writes a JSON file of its own on disk
/// (`config.json`, `mappings.json`, `relay.json`, `reservations.json`, theme
/// files): every
/// file carries `"version"`, unknown fields are rejected, and every mistake
/// is one `ConfigError` naming file:line:column and the field. Reading goes
/// through our own `JSONParser` (see why there); writing renders a `JSONNode`
/// in the style of `JSONOutput` (two-space indents, `"key": value`, a final
/// newline) and replaces the file atomically. Codable is kept for the wire.
enum JSONFile {
    /// The file's top-level object, its version checked and its fields
    /// limited to `fields` (plus `version`); nil when the file does not exist.
    static func read(_ path: String, version: Int, fields: Set<String>) throws(ConfigError) -> JSONObjectReader? {
        guard let bytes = try AtomicFile.read(path) else { return nil }
        return try parse(bytes, file: path, version: version, fields: fields)
    }

    /// Like `read`, for bytes already in hand (`file` names them in errors).
    static func parse(_ bytes: [UInt8], file: String, version: Int, fields: Set<String>) throws(ConfigError) -> JSONObjectReader {
        let root = try JSONObjectReader.root(bytes, file: file)
        try root.rejectUnknown(allowed: fields.union(["version"]))
        _ = try root.checkVersion(version)
        return root
    }

    /// Writes `members` (plus `"version"`) as the file's top-level object.
    static func write(_ members: [(String, JSONNode.Value)], version: Int, to path: String, mode: UInt32) throws(ConfigError) {
        try AtomicFile.write(render(members, version: version), to: path, mode: mode)
    }

    /// The bytes of a file whose top-level object is `members` plus `"version"`.
    static func render(_ members: [(String, JSONNode.Value)], version: Int) -> [UInt8] {
        render(.fields(members + [("version", .number(String(version)))]))
    }

    /// The bytes of `value`, keys sorted, with a final newline.
    static func render(_ value: JSONNode.Value) -> [UInt8] {
        var out: [UInt8] = []
        append(value, indent: 0, to: &out)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    private static func append(_ value: JSONNode.Value, indent: Int, to out: inout [UInt8]) {
        let pad = Array(repeating: UInt8(ascii: " "), count: indent + 2)
        switch value {
        case .object(let members):
            if members.isEmpty { out += Array("{}".utf8); return }
            out += Array("{\n".utf8)
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                out += pad
                appendString(member.key, to: &out)
                out += Array(": ".utf8)
                append(member.value.value, indent: indent + 2, to: &out)
                out += Array((index + 1 < members.count ? ",\n" : "\n").utf8)
            }
            out += Array(repeating: UInt8(ascii: " "), count: indent) + [UInt8(ascii: "}")]
        case .array(let elements):
            if elements.isEmpty { out += Array("[]".utf8); return }
            out += Array("[\n".utf8)
            for (index, element) in elements.enumerated() {
                out += pad
                append(element.value, indent: indent + 2, to: &out)
                out += Array((index + 1 < elements.count ? ",\n" : "\n").utf8)
            }
            out += Array(repeating: UInt8(ascii: " "), count: indent) + [UInt8(ascii: "]")]
        case .string(let text): appendString(text, to: &out)
        case .number(let text): out += Array(text.utf8)
        case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
        case .null: out += Array("null".utf8)
        }
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case UInt8(ascii: "\n"): out += Array(#"\n"#.utf8)
            case UInt8(ascii: "\t"): out += Array(#"\t"#.utf8)
            case UInt8(ascii: "\r"): out += Array(#"\r"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONNode {
    /// A node to write (its position is unknown until it is read back).
    init(_ value: Value) {
        self.init(value: value, line: 0, column: 0)
    }
}

extension JSONNode.Value {
    /// An object from (key, value) pairs, for writing.
    static func fields(_ pairs: [(String, JSONNode.Value)]) -> JSONNode.Value {
        .object(pairs.map { JSONNode.Member(key: $0.0, keyLine: 0, keyColumn: 0, value: JSONNode($0.1)) })
    }
}
