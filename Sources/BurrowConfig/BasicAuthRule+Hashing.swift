import BurrowCore
import Crypto

extension BasicAuthRule {
    /// A rule for `user` and `password` with a fresh 16-byte random salt; the
    /// password itself is not kept anywhere.
    public static func hashing(user: String, password: String) throws(CoreError) -> BasicAuthRule {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let rule = BasicAuthRule(user: user, salt: hex(salt), sha256: hex(digest(salt: salt, password: password)))
        try rule.validate()
        return rule
    }

    /// `USER:PASSWORD` as `--basic-auth` takes it → a hashed rule.
    public static func hashing(credentials: String) throws(CoreError) -> BasicAuthRule {
        let (user, password) = try splitCredentials(credentials)
        return try hashing(user: user, password: password)
    }

    static func digest(salt: [UInt8], password: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Array(password.utf8))
        return Array(hasher.finalize())
    }
}
