import BurrowCore

extension Profile {
    /// Reads one entry of `config.json`'s `profiles`, with Burrow's defaults
    /// for a missing `sshPort` and `user`.
    static func read(_ object: JSONObjectReader) throws(ConfigError) -> Profile {
        try object.rejectUnknown(allowed: Profile.jsonKeys)
        let name = try object.requiredLabel("name")
        let host = try object.requiredString("host")
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw object.fail("host", "invalid host '\(host)': use a host name or IP address")
        }
        let user = try object.string("user") ?? Profile.defaultUser
        guard !user.isEmpty, !user.contains(where: \.isWhitespace) else {
            throw object.fail("user", "invalid user '\(user)': use a non-empty name without spaces")
        }
        let identity = try object.string("identity")
        if let identity, identity.isEmpty { throw object.fail("identity", "empty path; remove the field to use the config dir's identity") }
        let sshPort = try object.port("sshPort") ?? Profile.defaultSSHPort
        var fleet: [String] = []
        var seen: Set<String> = [LocalAddress(host: host, port: sshPort).description]
        for (index, node) in (try object.array("fleet") ?? []).enumerated() {
            let field = object.fieldPath("fleet[\(index)]")
            let at = JSONObjectReader.location(object.file, node.line, node.column)
            guard case .string(let text) = node.value else {
                throw .invalidField(file: at, field: field, message: "expected a string \"HOST:SSH_PORT\", found \(node.kindName)")
            }
            let endpoint: String
            do { endpoint = try Profile.normalizedEndpoint(text) } catch {
                throw .invalidField(file: at, field: field,
                                    message: "invalid relay address '\(text)': use HOST or HOST:SSH_PORT (e.g. relay2.example.com:2222)")
            }
            guard seen.insert(endpoint).inserted else {
                throw .invalidField(file: at, field: field, message: "relay \(endpoint) is already a member of this profile's fleet")
            }
            fleet.append(endpoint)
        }
        let connections = try object.int("connections")
        if let connections, !ConnectionCount.range.contains(connections) {
            throw object.fail("connections", "\(connections) SSH connections: use \(ConnectionCount.range.lowerBound) to \(ConnectionCount.range.upperBound), or remove the field for one per core (at most \(ConnectionCount.defaultMaximum))")
        }
        return Profile(name: name, host: host, sshPort: sshPort, user: user, identity: identity, fleet: fleet, connections: connections)
    }

    /// One entry of `config.json`'s `profiles`, as `read` reads it back.
    var jsonValue: JSONNode.Value {
        var members: [(String, JSONNode.Value)] = [
            ("name", .string(name)), ("host", .string(host)), ("sshPort", .number(String(sshPort))), ("user", .string(user)),
        ]
        if let identity { members.append(("identity", .string(identity))) }
        if !fleet.isEmpty { members.append(("fleet", .array(fleet.map { JSONNode(.string($0)) }))) }
        if let connections { members.append(("connections", .number(String(connections)))) }
        return .fields(members)
    }
}
