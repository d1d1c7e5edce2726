extension Mapping {
    /// `allow 10.0.0.0/8; deny 10.9.0.0/16; basic auth alice; proxy v2`, or
    /// nil without rules. Never shows a password or its hash (for `map ls`,
    /// the TUI's detail pane, logs).
    public var rulesSummary: String? {
        var parts: [String] = []
        if !allow.isEmpty { parts.append("allow " + allow.map(\.description).joined(separator: ",")) }
        if !deny.isEmpty { parts.append("deny " + deny.map(\.description).joined(separator: ",")) }
        if let basicAuth { parts.append("basic auth \(basicAuth.user)") }
        if let proxyProtocol { parts.append("proxy \(proxyProtocol)") }
        if httpsRedirect { parts.append("https redirect") }
        if pool { parts.append("pool") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// `10.0.0.0/8, 2001:db8::/32` or `10.0.0.0/8 ::1` → networks; the first
    /// bad one throws with its text.
    public static func parseNetworks(_ text: String) throws(CoreError) -> [CIDR] {
        var result: [CIDR] = []
        for piece in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            result.append(try CIDR(parsing: String(piece)))
        }
        return result
    }
}
