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
        let digest = Array(hasher.finalize())
        let userMatches = constantTimeEqual(user, Array(rule.user.utf8))
        let passwordMatches = constantTimeEqual(digest, expected)
        return userMatches && passwordMatches
    }

    /// Equal length and bytes, looking at every byte whatever differs.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        let count = max(lhs.count, rhs.count)
        for index in 0..<count {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
