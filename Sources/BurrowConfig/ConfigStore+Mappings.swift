import BurrowCore

extension ConfigStore {
    /// Adds a mapping: the one path the CLI and the TUI share. Validates the
    /// name and ports, generates a name (`http-3000`) when `name` is nil,
    /// refuses a taken name or an unknown profile. `profile` nil = follow the
    /// selected profile.
    @discardableResult
    public func addMapping(
        protocol kind: MappingProtocol, local: LocalAddress, name: String?,
        remotePort: Int?, profile: String?, enabled: Bool
    ) throws(ConfigError) -> Mapping {
        if let name {
            do { try DNSLabel.validate(name) } catch { throw .invalidValue(error) }
        }
        guard (1...65535).contains(local.port) else { throw .invalidValue(.invalidPort(String(local.port))) }
        if let remotePort {
            guard (1...65535).contains(remotePort) else { throw .invalidValue(.invalidPort(String(remotePort))) }
            guard kind == .tcp || kind == .udp else {
                throw .invalidCombination("--remote-port \(remotePort) does not apply to \(kind) mappings: \(kind) is routed by name; use it with tcp or udp only")
            }
        }
        return try locked { () throws(ConfigError) -> Mapping in
            let config = try loadConfig()
            if let profile, config.profile(named: profile) == nil {
                throw .notFound(kind: "profile", name: profile, known: config.profiles.map(\.name))
            }
            var file = try loadMappings()
            let taken = Set(file.mappings.map(\.name))
            if let name, taken.contains(name) { throw .nameTaken(kind: "mapping", name: name) }
            let mapping = Mapping(
                name: name ?? Mapping.generatedName(for: kind, local: local, taken: taken),
                protocol: kind, local: local, remotePort: remotePort, enabled: enabled, profile: profile)
            file.mappings.append(mapping)
            try AtomicFile.write(file.encoded(), to: mappingsPath)
            return mapping
        }
    }

    /// Removes the mapping called `name` and returns it.
    @discardableResult
    public func removeMapping(named name: String) throws(ConfigError) -> Mapping {
        try locked { () throws(ConfigError) -> Mapping in
            var file = try loadMappings()
            guard let index = file.mappings.firstIndex(where: { $0.name == name }) else {
                throw .notFound(kind: "mapping", name: name, known: file.mappings.map(\.name))
            }
            let removed = file.mappings.remove(at: index)
            try AtomicFile.write(file.encoded(), to: mappingsPath)
            return removed
        }
    }

    /// Turns the mapping called `name` on or off; returns it and whether it changed.
    @discardableResult
    public func setMapping(named name: String, enabled: Bool) throws(ConfigError) -> (mapping: Mapping, changed: Bool) {
        try locked { () throws(ConfigError) -> (mapping: Mapping, changed: Bool) in
            var file = try loadMappings()
            guard let index = file.mappings.firstIndex(where: { $0.name == name }) else {
                throw .notFound(kind: "mapping", name: name, known: file.mappings.map(\.name))
            }
            guard file.mappings[index].enabled != enabled else { return (file.mappings[index], false) }
            file.mappings[index].enabled = enabled
            try AtomicFile.write(file.encoded(), to: mappingsPath)
            return (file.mappings[index], true)
        }
    }
}
