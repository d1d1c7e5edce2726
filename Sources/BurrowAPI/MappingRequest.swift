import BurrowConfig
import BurrowCore

/// The body of `POST /mappings` and `PATCH /mappings/NAME`, read strictly
/// (unknown fields, wrong types and bad values are refused naming the field).
/// The fields are mappings.json's, except `basicAuth`: `"USER:PASSWORD"`
/// as `burrow map add --basic-auth` takes it (stored hashed), and `local`
/// may be a bare port number.
struct MappingRequest {
    static let keys: Set<String> = Mapping.jsonKeys

    let body: JSONRequestObject

    init(_ bytes: [UInt8]) throws(ConfigError) {
        body = try JSONRequestObject(parsing: bytes)
        try body.rejectUnknown(allowed: MappingRequest.keys)
    }

    func has(_ key: String) -> Bool { body.contains(key) }

    func protocolValue() throws(ConfigError) -> MappingProtocol? {
        guard let text = try body.string("protocol") else { return nil }
        do { return try MappingProtocol(parsing: text) } catch { throw body.fail("protocol", error.description) }
    }

    func local() throws(ConfigError) -> LocalAddress? {
        let text: String
        if let port = try? body.int("local") {
            text = String(port)
        } else if let string = try body.string("local") {
            text = string
        } else {
            return nil
        }
        do { return try LocalAddress(parsing: text) } catch { throw body.fail("local", error.description) }
    }

    func name() throws(ConfigError) -> String? { try body.label("name") }
    func profile() throws(ConfigError) -> String? { try body.label("profile") }
    func remotePort() throws(ConfigError) -> Int? { try body.port("remotePort") }
    func enabled() throws(ConfigError) -> Bool? { try body.bool("enabled") }
    func httpsRedirect() throws(ConfigError) -> Bool? { try body.bool("httpsRedirect") }
    func pool() throws(ConfigError) -> Bool? { try body.bool("pool") }
    func allow() throws(ConfigError) -> [CIDR]? { try body.strings("allow") { try CIDR(parsing: $0) } }
    func deny() throws(ConfigError) -> [CIDR]? { try body.strings("deny") { try CIDR(parsing: $0) } }

    /// `"USER:PASSWORD"` (hashed here), or `{"user","salt","sha256"}` already hashed (as mappings.json holds it).
    func basicAuth() throws(ConfigError) -> BasicAuthRule? {
        if let hashed = try? body.object("basicAuth") {
            try hashed.rejectUnknown(allowed: ["user", "salt", "sha256"])
            let rule = BasicAuthRule(
                user: try hashed.string("user") ?? "", salt: try hashed.string("salt") ?? "", sha256: try hashed.string("sha256") ?? "")
            do { try rule.validate() } catch { throw body.fail("basicAuth", error.description) }
            return rule
        }
        guard let credentials = try body.string("basicAuth") else { return nil }
        do { return try BasicAuthRule.hashing(credentials: credentials) } catch { throw body.fail("basicAuth", error.description) }
    }

    func proxyProtocol() throws(ConfigError) -> ProxyProtocolVersion? {
        guard let text = try body.string("proxyProtocol") else { return nil }
        do { return try ProxyProtocolVersion(parsing: text) } catch { throw body.fail("proxyProtocol", error.description) }
    }

    /// `POST /mappings`: added through `ConfigStore.addMapping`, as `burrow map add` does.
    func add(to store: ConfigStore) throws(ConfigError) -> Mapping {
        guard has("protocol") else { throw body.fail("protocol", "missing; it is required (http, tcp, udp or tls)") }
        guard has("local") else { throw body.fail("local", "missing; it is required (PORT or HOST:PORT)") }
        guard let kind = try protocolValue() else { throw body.fail("protocol", "missing; it is required (http, tcp, udp or tls)") }
        guard let local = try local() else { throw body.fail("local", "missing; it is required (PORT or HOST:PORT)") }
        return try store.addMapping(
            protocol: kind, local: local, name: try name(), remotePort: try remotePort(), profile: try profile(),
            enabled: try enabled() ?? true, allow: try allow() ?? [], deny: try deny() ?? [], basicAuth: try basicAuth(),
            proxyProtocol: try proxyProtocol(), httpsRedirect: try httpsRedirect() ?? false,
            pool: try pool() ?? false)
    }

    /// `PATCH /mappings/NAME`: only `enabled` → `setMapping` (as `burrow map
    /// enable/disable`); anything else → the edited mapping through
    /// `replaceMapping` (as the TUI's edit form). `null` clears an optional field.
    func edit(_ name: String, in store: ConfigStore) throws(ConfigError) -> Mapping {
        if body.keys == ["enabled"] {
            guard let enabled = try enabled() else { throw body.fail("enabled", "expected true or false, found null") }
            return try store.setMapping(named: name, enabled: enabled).mapping
        }
        let file = try store.loadMappings()
        guard var mapping = file.mapping(named: name) else {
            throw .notFound(kind: "mapping", name: name, known: file.mappings.map(\.name))
        }
        if has("name") { mapping.name = try self.name() ?? mapping.name }
        if has("protocol") { mapping.protocol = try protocolValue() ?? mapping.protocol }
        if has("local") { mapping.local = try local() ?? mapping.local }
        if has("remotePort") { mapping.remotePort = try remotePort() }
        if has("enabled") { mapping.enabled = try enabled() ?? mapping.enabled }
        if has("profile") { mapping.profile = try profile() }
        if has("allow") { mapping.allow = try allow() ?? [] }
        if has("deny") { mapping.deny = try deny() ?? [] }
        if has("basicAuth") { mapping.basicAuth = try basicAuth() }
        if has("proxyProtocol") { mapping.proxyProtocol = try proxyProtocol() }
        if has("httpsRedirect") { mapping.httpsRedirect = try httpsRedirect() ?? false }
        if has("pool") { mapping.pool = try pool() ?? false }
        return try store.replaceMapping(named: name, with: mapping)
    }
}
