import BurrowCore

extension Mapping {
    /// Reads one entry of `mappings.json`'s `mappings`.
    static func read(_ object: JSONObjectReader) throws(ConfigError) -> Mapping {
        try object.rejectUnknown(allowed: Mapping.jsonKeys)
        let name = try object.requiredString("name")
        do { try DNSLabel.validate(name) } catch { throw object.fail("name", error.description) }
        let protocolText = try object.requiredString("protocol")
        let kind: MappingProtocol
        do { kind = try MappingProtocol(parsing: protocolText) } catch { throw object.fail("protocol", error.description) }
        let localText = try object.requiredString("local")
        let local: LocalAddress
        do { local = try LocalAddress(parsing: localText) } catch { throw object.fail("local", error.description) }
        let profile = try object.string("profile")
        if let profile {
            do { try DNSLabel.validate(profile) } catch { throw object.fail("profile", error.description) }
        }
        return Mapping(
            name: name, protocol: kind, local: local,
            remotePort: try object.port("remotePort"),
            enabled: try object.bool("enabled") ?? true,
            profile: profile)
    }
}
