import BurrowCore

extension ConfigStore {
    /// Adds a profile; the first one becomes the selected profile. A given
    /// identity file must exist and load (it is stored as an absolute path).
    /// Returns the stored profile and whether it is now selected.
    @discardableResult
    public func addProfile(_ profile: Profile) throws(ConfigError) -> (profile: Profile, selected: Bool) {
        do { try profile.validate() } catch { throw .invalidValue(error) }
        var stored = profile
        do { stored.fleet = try Profile.fleetEndpoints(profile.fleet, primary: profile.endpoint) } catch { throw .invalidValue(error) }
        if let path = profile.identity {
            stored.identity = ConfigStore.absolutePath(path)
            _ = try identity(for: stored)
        }
        return try locked { () throws(ConfigError) -> (profile: Profile, selected: Bool) in
            var config = try loadConfig()
            if config.profile(named: stored.name) != nil { throw .nameTaken(kind: "profile", name: stored.name) }
            config.profiles.append(stored)
            if config.selectedProfile == nil { config.selectedProfile = stored.name }
            try AtomicFile.write(config.encoded(), to: configPath)
            return (stored, config.selectedProfile == stored.name)
        }
    }

    /// Makes `name` the selected profile.
    @discardableResult
    public func selectProfile(named name: String) throws(ConfigError) -> Profile {
        try locked { () throws(ConfigError) -> Profile in
            var config = try loadConfig()
            guard let profile = config.profile(named: name) else {
                throw .notFound(kind: "profile", name: name, known: config.profiles.map(\.name))
            }
            if config.selectedProfile != name {
                config.selectedProfile = name
                try AtomicFile.write(config.encoded(), to: configPath)
            }
            return profile
        }
    }

    /// Removes a profile no mapping names. Removing the selected profile
    /// leaves none selected (mappings then use the embedded local relay).
    /// Returns the removed profile and whether it was the selected one.
    @discardableResult
    public func removeProfile(named name: String) throws(ConfigError) -> (profile: Profile, wasSelected: Bool) {
        try locked { () throws(ConfigError) -> (profile: Profile, wasSelected: Bool) in
            var config = try loadConfig()
            guard let index = config.profiles.firstIndex(where: { $0.name == name }) else {
                throw .notFound(kind: "profile", name: name, known: config.profiles.map(\.name))
            }
            let users = try loadMappings().mappings.filter { $0.profile == name }.map(\.name)
            if !users.isEmpty { throw .profileInUse(name: name, mappings: users) }
            let removed = config.profiles.remove(at: index)
            let wasSelected = config.selectedProfile == name
            if wasSelected { config.selectedProfile = nil }
            try AtomicFile.write(config.encoded(), to: configPath)
            return (removed, wasSelected)
        }
    }
}
