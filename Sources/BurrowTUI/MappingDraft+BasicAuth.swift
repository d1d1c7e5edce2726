import BurrowConfig
import BurrowCore

extension MappingDraft {
    /// The rule to store: new credentials hashed (fresh salt), else the kept one.
    func basicAuthRule() throws -> BasicAuthRule? {
        if let credentials = basicAuthCredentials {
            do { return try BasicAuthRule.hashing(credentials: credentials) } catch { throw ConfigError.invalidValue(error) }
        }
        return keptBasicAuth
    }
}
