import BurrowCore

extension ConfigStore {
    /// Adds a mapping: the one path the CLI and the TUI share. Validates the
    /// name and ports, generates a name (`http-3000`) when `name` is nil,
    /// refuses a taken name or an unknown profile. `profile` nil = follow the
    /// selected profile.
    @discardableResult
    public func addMapping(
        protocol kind: MappingProtocol, local: LocalAddress, name: String?,
        remotePort: Int?, profile: String?, enabled: Bool,
        allow: [CIDR] = [], deny: [CIDR] = [], basicAuth: BasicAuthRule? = nil, proxyProtocol: ProxyProtocolVersion? = nil,
        httpsRedirect: Bool = false, pool: Bool = false
    ) throws(ConfigError) -> Mapping {
        // Checked with a placeholder name when none is given; the real one is generated below.
        try ConfigStore.check(Mapping(
            name: name ?? "x", protocol: kind, local: local, remotePort: remotePort, enabled: enabled, profile: profile,
            allow: allow, deny: deny, basicAuth: basicAuth, proxyProtocol: proxyProtocol, httpsRedirect: httpsRedirect, pool: pool))
        return try locked { () throws(ConfigError) -> Mapping in
            try checkProfileExists(profile)
            var file = try loadMappings()
            let taken = Set(file.mappings.map(\.name))
            if let name, taken.contains(name) { throw .nameTaken(kind: "mapping", name: name) }
            let mapping = Mapping(
                name: name ?? Mapping.generatedName(for: kind, local: local, taken: taken),
                protocol: kind, local: local, remotePort: remotePort, enabled: enabled, profile: profile,
                allow: allow, deny: deny, basicAuth: basicAuth, proxyProtocol: proxyProtocol, httpsRedirect: httpsRedirect, pool: pool)
            file.mappings.append(mapping)
            try AtomicFile.write(file.encoded(), to: mappingsPath)
            return mapping
        }
    }

    /// Replaces the mapping called `name` with `mapping` (an edit; the name
    /// may change), checked like `addMapping`. Keeps its place in the file.
    @discardableResult
    public func replaceMapping(named name: String, with mapping: Mapping) throws(ConfigError) -> Mapping {
        try ConfigStore.check(mapping)
        return try locked { () throws(ConfigError) -> Mapping in
            try checkProfileExists(mapping.profile)
            var file = try loadMappings()
            guard let index = file.mappings.firstIndex(where: { $0.name == name }) else {
                throw .notFound(kind: "mapping", name: name, known: file.mappings.map(\.name))
            }
            if mapping.name != name, file.mapping(named: mapping.name) != nil {
                throw .nameTaken(kind: "mapping", name: mapping.name)
            }
            file.mappings[index] = mapping
            try AtomicFile.write(file.encoded(), to: mappingsPath)
            return mapping
        }
    }

    /// Name, ports, and `remotePort` only on tcp/udp.
    static func check(_ mapping: Mapping) throws(ConfigError) {
        do { try mapping.validate() } catch { throw .invalidValue(error) }
        if let remotePort = mapping.remotePort, mapping.protocol != .tcp, mapping.protocol != .udp {
            let kind = mapping.protocol
            throw .invalidCombination("--remote-port \(remotePort) does not apply to \(kind) mappings: \(kind) is routed by name; use it with tcp or udp only")
        }
    }

    /// A mapping may only name a profile that exists (call under the lock).
    func checkProfileExists(_ profile: String?) throws(ConfigError) {
        let config = try loadConfig()  // always read: a broken config.json stops every change
        if let profile, config.profile(named: profile) == nil {
            throw .notFound(kind: "profile", name: profile, known: config.profiles.map(\.name))
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
