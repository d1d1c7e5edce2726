import BurrowConfig
import BurrowCore

/// The access and address options of `burrow map add`, parsed into a
/// mapping's fields with one-line errors that name the bad value.
struct MapRuleOptions {
    var allow: [CIDR] = []
    var deny: [CIDR] = []
    var basicAuth: BasicAuthRule?
    var proxyProtocol: ProxyProtocolVersion?

    static func parse(allow: [String], deny: [String], basicAuth: String?, proxyProtocol: String?) throws(ConfigError) -> MapRuleOptions {
        var options = MapRuleOptions()
        do {
            for text in allow { options.allow.append(try CIDR(parsing: text)) }
            for text in deny { options.deny.append(try CIDR(parsing: text)) }
            if let basicAuth { options.basicAuth = try BasicAuthRule.hashing(credentials: basicAuth) }
            if let proxyProtocol { options.proxyProtocol = try ProxyProtocolVersion(parsing: proxyProtocol) }
        } catch {
            throw .invalidValue(error)
        }
        return options
    }

    /// `allow 10.0.0.0/8; deny 10.9.0.0/16; basic auth alice; proxy v2`, or `-` (never a password or hash).
    static func summary(_ mapping: Mapping) -> String {
        var parts: [String] = []
        if !mapping.allow.isEmpty { parts.append("allow " + mapping.allow.map(\.description).joined(separator: ",")) }
        if !mapping.deny.isEmpty { parts.append("deny " + mapping.deny.map(\.description).joined(separator: ",")) }
        if let auth = mapping.basicAuth { parts.append("basic auth \(auth.user)") }
        if let version = mapping.proxyProtocol { parts.append("proxy \(version)") }
        return parts.isEmpty ? "-" : parts.joined(separator: "; ")
    }
}
