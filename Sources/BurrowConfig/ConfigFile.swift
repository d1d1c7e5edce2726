import BurrowCore

/// `config.json`: the profiles (tunnels to relays), which one is selected,
/// and the TUI's preferences.
public struct ConfigFile: Sendable, Equatable {
    public static let currentVersion = 1
    public static let fileName = "config.json"

    public var version: Int
    public var profiles: [Profile]
    /// The profile mappings without their own `profile` go through; nil =
    /// the embedded local relay.
    public var selectedProfile: String?
    public var ui: UIPreferences

    public init(version: Int = ConfigFile.currentVersion, profiles: [Profile] = [], selectedProfile: String? = nil, ui: UIPreferences = UIPreferences()) {
        self.version = version
        self.profiles = profiles
        self.selectedProfile = selectedProfile
        self.ui = ui
    }

    public func profile(named name: String) -> Profile? {
        profiles.first { $0.name == name }
    }

    /// The selected profile, if any.
    public var selected: Profile? {
        selectedProfile.flatMap(profile(named:))
    }

    static let jsonKeys: Set<String> = ["profiles", "selectedProfile", "ui"]

    /// Parses and validates `bytes`; `file` names the file in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws(ConfigError) -> ConfigFile {
        let root = try JSONFile.parse(bytes, file: file, version: currentVersion, fields: jsonKeys)
        var config = ConfigFile()
        config.profiles = try root.namedObjects("profiles", what: "profile", name: \.name, read: Profile.read)
        if let selected = try root.string("selectedProfile") {
            guard config.profile(named: selected) != nil else {
                throw root.fail("selectedProfile", "no profile named '\(selected)' (known: \(config.profiles.map(\.name).joined(separator: ", ")))")
            }
            config.selectedProfile = selected
        }
        if let ui = try root.object("ui") {
            config.ui = try UIPreferences(reading: ui)
        }
        return config
    }

    /// The file's bytes, as `JSONFile` writes every Burrow file.
    public func encoded() -> [UInt8] {
        JSONFile.render(members, version: version)
    }

    private var members: [(String, JSONNode.Value)] {
        var members: [(String, JSONNode.Value)] = [("profiles", .array(profiles.map { JSONNode($0.jsonValue) })), ("ui", ui.jsonValue)]
        if let selectedProfile { members.append(("selectedProfile", .string(selectedProfile))) }
        return members
    }
}
