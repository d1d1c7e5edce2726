import BurrowCore

/// `mappings.json`: the mapping rules, in the order they were added.
public struct MappingsFile: Sendable, Equatable {
    public static let currentVersion = 1
    public static let fileName = "mappings.json"

    public var version: Int
    public var mappings: [Mapping]

    public init(version: Int = MappingsFile.currentVersion, mappings: [Mapping] = []) {
        self.version = version
        self.mappings = mappings
    }

    public func mapping(named name: String) -> Mapping? {
        mappings.first { $0.name == name }
    }

    static let jsonKeys: Set<String> = ["mappings"]

    /// Parses and validates `bytes`; `file` names the file in errors. Profile
    /// names are checked against `config.json` by `ConfigStore`, not here.
    public static func decode(_ bytes: [UInt8], file: String) throws(ConfigError) -> MappingsFile {
        let root = try JSONFile.parse(bytes, file: file, version: currentVersion, fields: jsonKeys)
        return MappingsFile(mappings: try root.namedObjects("mappings", what: "mapping", name: \.name, read: Mapping.read))
    }

    /// The file's bytes, as `JSONFile` writes every Burrow file.
    public func encoded() -> [UInt8] {
        JSONFile.render(members, version: version)
    }

    private var members: [(String, JSONNode.Value)] {
        [("mappings", .array(mappings.map { JSONNode($0.jsonValue) }))]
    }
}
