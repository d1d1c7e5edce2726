import BurrowCore

/// One change to the configuration on disk, as `ConfigWatcher` publishes it
/// to every consumer of the process (the engine, the TUI).
public enum ConfigChange: Sendable, Equatable {
    /// `mappings.json` changed: the precise differences from the last good
    /// state, and the mappings now in force (in file order).
    case mappings([MappingChange], now: [Mapping])
    /// `mappings.json` no longer parses or validates; the last good mappings
    /// stay in force. Sent once per distinct error; when the file is valid
    /// again, its differences follow as `mappings`.
    case mappingsInvalid(ConfigError)
    /// `config.json` changed (profiles, the selected profile, UI preferences):
    /// as it is now and as it was. A `config.json` that does not parse is
    /// not published: the last good one stays in force.
    case config(ConfigFile, previous: ConfigFile)
}

extension ConfigChange {
    /// For `.config`: whether the profiles or the selected profile changed
    /// (a profile switch, or a profile added, removed or edited).
    public var changesProfiles: Bool {
        guard case .config(let now, let previous) = self else { return false }
        return now.profiles != previous.profiles || now.selectedProfile != previous.selectedProfile
    }
}
