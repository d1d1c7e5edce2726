import Foundation

/// The one JSON style Burrow writes: pretty-printed, sorted keys, unescaped
/// slashes, final newline — stable output that diffs well.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Our value types hold only strings, numbers and booleans: encoding cannot fail.
        guard let data = try? encoder.encode(value) else { return Array("null\n".utf8) }
        return compactEmptyContainers(Array(data)) + [UInt8(ascii: "\n")]
    }

    public static func string<T: Encodable>(_ value: T) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Foundation prints an empty array as `[`, blank line, `]`; make it `[]`.
    /// Safe on encoder output: a newline inside a JSON string is always escaped,
    /// so `[` or `{` followed by a raw newline is structural.
    static func compactEmptyContainers(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                let close = byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
                var next = index + 1
                while next < bytes.count, bytes[next] == UInt8(ascii: "\n") || bytes[next] == UInt8(ascii: " ") { next += 1 }
                if next > index + 1, next < bytes.count, bytes[next] == close, bytes[index + 1] == UInt8(ascii: "\n") {
                    result += [byte, close]
                    index = next + 1
                    continue
                }
            }
            result.append(byte)
            index += 1
        }
        return result
    }
}
