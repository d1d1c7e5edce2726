import Foundation

/// The one JSON style Burrow writes: pretty-printed, sorted keys, unescaped
/// slashes, final newline — stable output that diffs well.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Our value types hold only strings, numbers and booleans: encoding cannot fail.
        guard let data = try? encoder.encode(value) else { return Array("null\n".utf8) }
        return Array(data) + [UInt8(ascii: "\n")]
    }

    public static func string<T: Encodable>(_ value: T) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }
}
