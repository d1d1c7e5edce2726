/// HTTP basic auth for a mapping, as stored in `mappings.json` and sent to the
/// relay: the user name and a salted hash of the password, never the password.
///
/// `sha256` = lower-case hex of SHA-256(salt bytes ‖ UTF-8 password), `salt` =
/// 16 random bytes in lower-case hex. The relay computes the same over the
/// password a visitor sends and compares in constant time.
/// JSON: `{"user": "alice", "salt": "…32 hex…", "sha256": "…64 hex…"}`.
public struct BasicAuthRule: Sendable, Hashable, Codable {
    public var user: String
    public var salt: String
    public var sha256: String

    public init(user: String, salt: String, sha256: String) {
        self.user = user
        self.salt = salt
        self.sha256 = sha256
    }

    public static let jsonKeys: Set<String> = ["user", "salt", "sha256"]

    /// Splits `USER:PASSWORD` (the password may contain ':'); the user may not be empty.
    public static func splitCredentials(_ text: String) throws(CoreError) -> (user: String, password: String) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw .invalidBasicAuth("expected USER:PASSWORD (e.g. alice:s3cret), got something without a user or ':'")
        }
        let password = String(text[text.index(after: colon)...])
        guard !password.isEmpty else { throw .invalidBasicAuth("the password after ':' is empty") }
        return (String(text[..<colon]), password)
    }

    /// Checks the user name and the hex fields.
    public func validate() throws(CoreError) {
        guard !user.isEmpty, !user.contains(":"), user.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else {
            throw .invalidBasicAuth("user '\(user)' must be non-empty printable text without ':'")
        }
        guard Self.isHex(salt, minimumBytes: 8), Self.isHex(sha256, exactBytes: 32) else {
            throw .invalidBasicAuth("basicAuth of '\(user)' needs a hex salt (8+ bytes) and a 64-digit hex sha256; set it again with --basic-auth USER:PASSWORD")
        }
    }

    /// Decodes lower- or upper-case hex; nil when it is not hex.
    public static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func isHex(_ text: String, minimumBytes: Int = 0, exactBytes: Int? = nil) -> Bool {
        guard let bytes = hexBytes(text) else { return false }
        if let exactBytes { return bytes.count == exactBytes }
        return bytes.count >= minimumBytes
    }
}
