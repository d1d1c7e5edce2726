import BurrowCore

extension ConfigStore {
    /// Checks values about to be written, so a bug or a bad TUI edit can
    /// never store a file that the next read would reject.
    func validate(_ config: ConfigFile) throws(ConfigError) {
        var seen: Set<String> = []
        for (index, profile) in config.profiles.enumerated() {
            let field = "profiles[\(index)]"
            do { try profile.validate() } catch {
                throw .invalidField(file: configPath, field: field, message: error.description)
            }
            guard seen.insert(profile.name).inserted else { throw .nameTaken(kind: "profile", name: profile.name) }
        }
        if let selected = config.selectedProfile, !seen.contains(selected) {
            throw .notFound(kind: "profile", name: selected, known: config.profiles.map(\.name))
        }
    }

    func validate(_ file: MappingsFile) throws(ConfigError) {
        var seen: Set<String> = []
        for mapping in file.mappings {
            do { try mapping.validate() } catch { throw .invalidValue(error) }
            guard seen.insert(mapping.name).inserted else { throw .nameTaken(kind: "mapping", name: mapping.name) }
        }
    }

    /// Every mapping that names a profile names one that exists.
    public func checkReferences(config: ConfigFile, mappings: MappingsFile) throws(ConfigError) {
        let known = config.profiles.map(\.name)
        for (index, mapping) in mappings.mappings.enumerated() {
            if let profile = mapping.profile, !known.contains(profile) {
                let list = known.isEmpty ? "there are none" : "known: \(known.joined(separator: ", "))"
                throw .invalidField(
                    file: mappingsPath, field: "mappings[\(index)].profile",
                    message: "mapping '\(mapping.name)' names profile '\(profile)', which does not exist (\(list)); add it with `burrow profile add` or remove the mapping")
            }
        }
    }
}
