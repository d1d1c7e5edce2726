/// The TUI's saved preferences, the `ui` object of `config.json`.
public struct UIPreferences: Sendable, Equatable {
    /// A theme name (a file in `Themes/` or the config dir's `themes/`); nil = default.
    public var theme: String?
    /// The remembered answer to "keep the tunnels running in the background?"
    /// when a TUI that started the engine quits; nil = ask each time.
    public var keepTunnelsOnQuit: Bool?

    public init(theme: String? = nil, keepTunnelsOnQuit: Bool? = nil) {
        self.theme = theme
        self.keepTunnelsOnQuit = keepTunnelsOnQuit
    }

    static let jsonKeys: Set<String> = ["theme", "keepTunnelsOnQuit"]

    init(reading object: JSONObjectReader) throws(ConfigError) {
        try object.rejectUnknown(allowed: UIPreferences.jsonKeys)
        theme = try object.string("theme")
        keepTunnelsOnQuit = try object.bool("keepTunnelsOnQuit")
    }

    var jsonValue: JSONNode.Value {
        var fields: [(String, JSONNode.Value)] = []
        if let theme { fields.append(("theme", .string(theme))) }
        if let keepTunnelsOnQuit { fields.append(("keepTunnelsOnQuit", .bool(keepTunnelsOnQuit))) }
        return .fields(fields)
    }
}
