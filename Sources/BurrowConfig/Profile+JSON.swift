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
        return Profile(name: name, host: host, sshPort: try object.port("sshPort") ?? Profile.defaultSSHPort, user: user, identity: identity)
    }

    /// One entry of `config.json`'s `profiles`, as `read` reads it back.
    var jsonValue: JSONNode.Value {
        var members: [(String, JSONNode.Value)] = [
            ("name", .string(name)), ("host", .string(host)), ("sshPort", .number(String(sshPort))), ("user", .string(user)),
        ]
        if let identity { members.append(("identity", .string(identity))) }
        return .fields(members)
    }
}
