import BurrowCore
import Crypto

/// Checks an `Authorization: Basic …` header against a mapping's hashed rule:
/// SHA-256(salt ‖ password) compared in constant time, user name too, so the
/// time taken says nothing about how much matched.
enum BasicAuthCheck {
    static func verify(authorization: String?, rule: BasicAuthRule) -> Bool {
        guard let authorization else { return false }
        let trimmed = authorization.drop(while: { $0 == " " })
        guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "basic " else { return false }
        guard let decoded = Base64.decode(trimmed.dropFirst(6).trimmingSpaces()),
              let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let user = Array(decoded[..<colon])
        let password = Array(decoded[(colon + 1)...])
        guard let salt = BasicAuthRule.hexBytes(rule.salt), let expected = BasicAuthRule.hexBytes(rule.sha256) else { return false }
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: password)
        let digest = hasher.finalize()
        // swift-crypto compares digests in constant time; hashing both sides
        // first makes any length (user names) a fixed-size digest.
        let userMatches = SHA256.hash(data: user) == SHA256.hash(data: Array(rule.user.utf8))
        let passwordMatches = SHA256.hash(data: Array(digest)) == SHA256.hash(data: expected)
        return userMatches && passwordMatches
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
