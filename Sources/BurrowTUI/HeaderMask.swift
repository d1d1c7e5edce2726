/// Secrets in headers are shown masked until the person reveals them:
/// credentials keep their scheme ("Bearer ••••••"), cookies keep their
/// names and attributes ("sid=••••••; Path=/").
public enum HeaderMask {
    public static let dots = "••••••"
    public static let maskedNames: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    public static func isSecret(_ name: String) -> Bool { maskedNames.contains(name.lowercased()) }

    /// `value` as shown for a header called `name`.
    public static func mask(name: String, value: String) -> String {
        switch name.lowercased() {
        case "authorization", "proxy-authorization":
            let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            return parts.count == 2 ? "\(parts[0]) \(dots)" : dots
        case "cookie":
            return value.split(separator: ";").map { maskPair($0) }.joined(separator: ";")
        case "set-cookie":
            // Only the first pair is the cookie; Path, Expires, HttpOnly… are not secret.
            var parts = value.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            if !parts.isEmpty { parts[0] = maskPair(Substring(parts[0])) }
            return parts.joined(separator: ";")
        default:
            return value
        }
    }

    static func maskPair(_ pair: Substring) -> String {
        let leading = pair.prefix { $0 == " " }
        guard let equals = pair.firstIndex(of: "=") else { return leading + dots }
        return String(pair[..<equals]) + "=" + dots
    }
}
