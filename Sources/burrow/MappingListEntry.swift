import BurrowCore

/// One mapping as `burrow map ls --json` prints it: the fields of
/// mappings.json, except that basic auth shows only the user.
struct MappingListEntry: Encodable {
    struct BasicAuthUser: Encodable { var user: String }

    var name: String
    var `protocol`: MappingProtocol
    var local: LocalAddress
    var enabled: Bool
    var profile: String?
    var remotePort: Int?
    var allow: [CIDR]?
    var deny: [CIDR]?
    var basicAuth: BasicAuthUser?
    var proxyProtocol: ProxyProtocolVersion?
    var httpsRedirect: Bool?
    var pool: Bool?

    init(_ mapping: Mapping) {
        name = mapping.name
        self.protocol = mapping.protocol
        local = mapping.local
        enabled = mapping.enabled
        profile = mapping.profile
        remotePort = mapping.remotePort
        allow = mapping.allow.isEmpty ? nil : mapping.allow
        deny = mapping.deny.isEmpty ? nil : mapping.deny
        basicAuth = mapping.basicAuth.map { BasicAuthUser(user: $0.user) }
        proxyProtocol = mapping.proxyProtocol
        httpsRedirect = mapping.httpsRedirect ? true : nil
        pool = mapping.pool ? true : nil
    }
}
