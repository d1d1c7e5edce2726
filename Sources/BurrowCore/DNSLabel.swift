/// DNS label rules shared by mapping names, profile names and relay names:
/// `[a-z0-9-]`, 1–63 characters, not starting or ending with `-`.
public enum DNSLabel {
    /// Throws `CoreError.invalidName` saying what is wrong with `name`.
    public static func validate(_ name: String) throws(CoreError) {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { throw .invalidName(name, reason: "it is empty") }
        if bytes.count > 63 { throw .invalidName(name, reason: "it is \(bytes.count) characters long") }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
            throw .invalidName(name, reason: "it starts or ends with '-'")
        }
        for byte in bytes where !isAllowed(byte) {
            let shown = byte < 0x80 ? String(UnicodeScalar(byte)) : "non-ASCII"
            throw .invalidName(name, reason: "'\(shown)' is not allowed")
        }
    }

    public static func isValid(_ name: String) -> Bool {
        (try? validate(name)) != nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "-")
    }
}
