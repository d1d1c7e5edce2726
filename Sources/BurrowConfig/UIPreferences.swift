/// The TUI's saved preferences, the `ui` object of `config.json`.
public struct UIPreferences: Sendable, Equatable {
    /// A theme name (a file in `Themes/` or the config dir's `themes/`); nil = default.
    public var theme: String?

    public init(theme: String? = nil) {
        self.theme = theme
    }

    static let jsonKeys: Set<String> = ["theme"]

    init(reading object: JSONObjectReader) throws(ConfigError) {
        try object.rejectUnknown(allowed: UIPreferences.jsonKeys)
        theme = try object.string("theme")
    }

    var jsonValue: JSONNode.Value {
        .fields(theme.map { [("theme", .string($0))] } ?? [])
    }
}
