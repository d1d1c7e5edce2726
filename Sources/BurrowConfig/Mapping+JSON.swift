import BurrowCore

extension Mapping {
    /// Reads one entry of `mappings.json`'s `mappings`.
    static func read(_ object: JSONObjectReader) throws(ConfigError) -> Mapping {
        try object.rejectUnknown(allowed: Mapping.jsonKeys)
        let name = try object.requiredLabel("name")
        let protocolText = try object.requiredString("protocol")
        let kind: MappingProtocol
        do { kind = try MappingProtocol(parsing: protocolText) } catch { throw object.fail("protocol", error.description) }
        let localText = try object.requiredString("local")
        let local: LocalAddress
        do { local = try LocalAddress(parsing: localText) } catch { throw object.fail("local", error.description) }
        let profile = try object.label("profile")
        let mapping = Mapping(
            name: name, protocol: kind, local: local,
            remotePort: try object.port("remotePort"),
            enabled: try object.bool("enabled") ?? true,
            profile: profile,
            allow: try cidrs(object, "allow"),
            deny: try cidrs(object, "deny"),
            basicAuth: try basicAuth(object),
            proxyProtocol: try proxyProtocol(object),
            httpsRedirect: try object.bool("httpsRedirect") ?? false,
            pool: try object.bool("pool") ?? false)
        do { try mapping.validate() } catch {
            let field = mapping.basicAuth != nil && kind != .http ? "basicAuth"
                : mapping.pool && kind == .udp ? "pool"
                : (mapping.proxyProtocol != nil ? "proxyProtocol" : (mapping.httpsRedirect ? "httpsRedirect" : "basicAuth"))
            throw object.fail(field, error.description)
        }
        return mapping
    }

    /// One entry of `mappings.json`'s `mappings`, as `read` reads it back.
    var jsonValue: JSONNode.Value {
        var members: [(String, JSONNode.Value)] = [
            ("name", .string(name)), ("protocol", .string(self.protocol.rawValue)),
            ("local", .string(local.description)), ("enabled", .bool(enabled)),
        ]
        if let profile { members.append(("profile", .string(profile))) }
        if let remotePort { members.append(("remotePort", .number(String(remotePort)))) }
        if !allow.isEmpty { members.append(("allow", .array(allow.map { JSONNode(.string($0.description)) }))) }
        if !deny.isEmpty { members.append(("deny", .array(deny.map { JSONNode(.string($0.description)) }))) }
        if let basicAuth {
            members.append(("basicAuth", .fields([
                ("user", .string(basicAuth.user)), ("salt", .string(basicAuth.salt)), ("sha256", .string(basicAuth.sha256)),
            ])))
        }
        if let proxyProtocol { members.append(("proxyProtocol", .string(proxyProtocol.rawValue))) }
        if httpsRedirect { members.append(("httpsRedirect", .bool(true))) }
        if pool { members.append(("pool", .bool(true))) }
        return .fields(members)
    }

    private static func cidrs(_ object: JSONObjectReader, _ key: String) throws(ConfigError) -> [CIDR] {
        var result: [CIDR] = []
        for (index, node) in (try object.array(key) ?? []).enumerated() {
            let path = "\(key)[\(index)]"
            guard case .string(let text) = node.value else {
                throw ConfigError.invalidField(
                    file: JSONObjectReader.location(object.file, node.line, node.column), field: object.fieldPath(path),
                    message: "expected a string like \"203.0.113.0/24\", found \(node.kindName)")
            }
            do { result.append(try CIDR(parsing: text)) } catch {
                throw ConfigError.invalidField(
                    file: JSONObjectReader.location(object.file, node.line, node.column), field: object.fieldPath(path),
                    message: error.description)
            }
        }
        return result
    }

    private static func basicAuth(_ object: JSONObjectReader) throws(ConfigError) -> BasicAuthRule? {
        guard let auth = try object.object("basicAuth") else { return nil }
        try auth.rejectUnknown(allowed: BasicAuthRule.jsonKeys)
        let rule = BasicAuthRule(
            user: try auth.requiredString("user"), salt: try auth.requiredString("salt"), sha256: try auth.requiredString("sha256"))
        do { try rule.validate() } catch { throw object.fail("basicAuth", error.description) }
        return rule
    }

    private static func proxyProtocol(_ object: JSONObjectReader) throws(ConfigError) -> ProxyProtocolVersion? {
        guard let text = try object.string("proxyProtocol") else { return nil }
        do { return try ProxyProtocolVersion(parsing: text) } catch { throw object.fail("proxyProtocol", error.description) }
    }
}
