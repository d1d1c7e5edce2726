/// HTTP's optional white space (OWS: SP and HTAB, RFC 9110 §5.6.3) around
/// field values and list items. One trimming serves the relay's and the
/// agent's head readers: as a range of raw bytes (no copy) and as a string.
public enum HTTPWhitespace {
    @inlinable
    public static func isOWS(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// `range` of `bytes` without OWS at either end.
    @inlinable
    public static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var (lower, upper) = (range.lowerBound, range.upperBound)
        while lower < upper, isOWS(bytes[lower]) { lower += 1 }
        while upper > lower, isOWS(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// `bytes` without OWS at either end.
    @inlinable
    public static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[trimmed(bytes, bytes.indices)])
    }

    /// `text` without OWS at either end.
    public static func trimmed<Text: StringProtocol>(_ text: Text) -> String {
        let utf8 = Substring(text).utf8
        guard let first = utf8.firstIndex(where: { !isOWS($0) }), let last = utf8.lastIndex(where: { !isOWS($0) }) else { return "" }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }
}
