/// The fields of a theme file, read as strictly as every Burrow file:
/// `"version": 1`, unknown fields rejected, every error with line:column.
/// What a role or a colour means is the TUI's business (`ThemeFile`): it
/// passes the roles it knows and a colour check, so that unknown roles and
/// bad colours are refused at their line:column too.
///
/// ```json
/// { "version": 1, "name": "light", "description": "For light terminals.",
///   "colors": { "text": "#1c1c1c", "selection": "bright-yellow", "muted": 8 } }
/// ```
public struct ThemeDocument: Sendable, Equatable {
    public static let version = 1

    public var name: String?
    public var description: String?
    /// Role name → colour as written (a number 0-255 becomes its digits), in file order.
    public var colors: [(role: String, value: String)]

    public static func == (a: ThemeDocument, b: ThemeDocument) -> Bool {
        a.name == b.name && a.description == b.description
            && a.colors.map(\.role) == b.colors.map(\.role) && a.colors.map(\.value) == b.colors.map(\.value)
    }

    /// Parses `bytes`; `file` names it in errors. A colour key not in `roles`
    /// is refused; `checkColor(value)` returns why a colour is refused, or nil.
    public static func parse(_ bytes: [UInt8], file: String, roles: [String],
                             checkColor: (String) -> String?) throws(ConfigError) -> ThemeDocument {
        let root = try JSONFile.parse(bytes, file: file, version: version, fields: ["name", "description", "colors"])
        let name = try root.string("name")
        let description = try root.string("description")
        guard let colors = try root.object("colors") else {
            throw root.fail("colors", "missing; add an object of role → colour")
        }
        var entries: [(role: String, value: String)] = []
        guard case .object(let members) = colors.node.value else { return ThemeDocument(name: name, description: description, colors: []) }
        for member in members {
            let value: String
            switch member.value.value {
            case .string(let text):
                value = text
            case .number(let digits) where Int(digits) != nil:
                value = digits
            default:
                throw colors.fail(member.key, "expected a colour (\"#rrggbb\", a name, \"\" for the terminal's own) or a number 0-255, found \(member.value.kindName)")
            }
            guard roles.contains(member.key) else {
                throw .invalidField(file: JSONObjectReader.location(file, member.keyLine, member.keyColumn),
                                    field: colors.fieldPath(member.key),
                                    message: "unknown role \"\(member.key)\" (roles: \(roles.joined(separator: ", ")))")
            }
            if let problem = checkColor(value) { throw colors.fail(member.key, problem) }
            entries.append((member.key, value))
        }
        return ThemeDocument(name: name, description: description, colors: entries)
    }
}
