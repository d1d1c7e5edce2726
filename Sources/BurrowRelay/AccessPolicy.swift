import BurrowCore
import NIOCore

/// The access rules of one forward, from the agent's `register` message:
/// allow/deny networks (deny wins; an empty allow list admits everyone) and,
/// for HTTP, basic auth. Checked when a visitor arrives, before any byte of it
/// is sent to the agent.
struct AccessPolicy: Sendable, Equatable {
    var allow: [CIDR] = []
    var deny: [CIDR] = []
    var basicAuth: BasicAuthRule?
    /// HTTP: plain-http visitors are sent to https (308) when the relay serves https for the name.
    var httpsRedirect = false

    static let open = AccessPolicy()

    init(allow: [CIDR] = [], deny: [CIDR] = [], basicAuth: BasicAuthRule? = nil, httpsRedirect: Bool = false) {
        self.allow = allow
        self.deny = deny
        self.basicAuth = basicAuth
        self.httpsRedirect = httpsRedirect
    }

    init(_ registration: MappingRegistration) {
        self.init(allow: registration.allow, deny: registration.deny, basicAuth: registration.basicAuth, httpsRedirect: registration.httpsRedirect)
    }

    var restrictsAddresses: Bool { !allow.isEmpty || !deny.isEmpty }

    /// Whether a visitor from `address` may come in (by network only).
    func admits(_ address: SocketAddress?) -> Bool {
        guard restrictsAddresses else { return true }
        guard let bytes = address.flatMap(Self.bytes) else { return false }
        if deny.contains(where: { $0.contains(bytes) }) { return false }
        return allow.isEmpty || allow.contains(where: { $0.contains(bytes) })
    }

    /// The address's bytes in network order (4 for IPv4, 16 for IPv6).
    static func bytes(_ address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        case .unixDomainSocket:
            return nil
        }
    }

    /// The visitor's IP as text, an IPv4-mapped IPv6 address (a dual-stack
    /// socket's view of an IPv4 visitor) as plain IPv4: `203.0.113.7`, `2001:db8::1`.
    static func clientIP(_ address: SocketAddress?) -> (text: String, isIPv6: Bool)? {
        guard let address, let bytes = bytes(address) else { return nil }
        let plain = CIDR.unmappedAddress(bytes)
        return (CIDR.format(plain), plain.count == 16)
    }

    /// Short text for logs: `allow 10.0.0.0/8, deny 10.9.0.0/16, basic auth (alice)`.
    var summary: String {
        var parts: [String] = []
        if !allow.isEmpty { parts.append("allow " + allow.map(\.description).joined(separator: " ")) }
        if !deny.isEmpty { parts.append("deny " + deny.map(\.description).joined(separator: " ")) }
        if let basicAuth { parts.append("basic auth (\(basicAuth.user))") }
        return parts.isEmpty ? "open" : parts.joined(separator: ", ")
    }
}
