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

    /// The mapping's rules for `map ls` and `map add`, or `-` (never a password or hash).
    static func summary(_ mapping: Mapping) -> String {
        mapping.rulesSummary ?? "-"
    }
}
