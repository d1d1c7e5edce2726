/// HTTP field names and tokens (`chunked`, `upgrade`) match without regard
/// to ASCII case (RFC 9110 §5.1). One comparison serves the relay's and the
/// agent's head readers: the bytes against a lowercase literal, with no
/// lowercased copy.
public enum ASCIICase {
    /// `bytes` spell `lowercase` (lowercase ASCII) in any ASCII case.
    @inlinable
    public static func equals<Bytes: Collection<UInt8>>(_ bytes: Bytes, lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { wanted in
            zip(bytes, wanted).allSatisfy { byte, want in folded(byte) == want }
        }
    }

    /// `byte` with A-Z folded to a-z; every other byte as it is.
    @inlinable
    public static func folded(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }
}
