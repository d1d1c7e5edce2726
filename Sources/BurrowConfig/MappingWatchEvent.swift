/// What `ConfigStore.watchMappingEvents` reports about `mappings.json`.
public enum MappingWatchEvent: Sendable, Equatable {
    /// The file changed; these are the differences from the last good state.
    case changes([MappingChange])
    /// The file no longer parses or validates. The last good mappings stay in
    /// force; show the message (it names file, line:column or field). Sent
    /// once per distinct error.
    case invalid(ConfigError)
    /// The file is valid again after `invalid`; any `changes` follow.
    case recovered
}
