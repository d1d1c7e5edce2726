import Foundation

/// The one JSON style Burrow writes: pretty-printed with two-space indents,
/// `"key": value`, sorted keys, unescaped slashes, `[]` for empty arrays and
/// a final newline — stable output that diffs well and reads like hand-written JSON.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Our value types hold only strings, numbers and booleans: encoding cannot fail.
        guard let data = try? encoder.encode(value) else { return Array("null\n".utf8) }
        return tidy(Array(data)) + [UInt8(ascii: "\n")]
    }

    public static func string<T: Encodable>(_ value: T) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Rewrites Foundation's `"key" : value` as `"key": value` and its
    /// `[`, blank line, `]` as `[]`, touching only bytes outside strings.
    static func tidy(_ bytes: [UInt8]) -> [UInt8] {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), space = UInt8(ascii: " ")
        let newline = UInt8(ascii: "\n"), colon = UInt8(ascii: ":")
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var inString = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                result.append(byte)
                if byte == backslash, index + 1 < bytes.count {
                    result.append(bytes[index + 1])
                    index += 2
                    continue
                }
                if byte == quote { inString = false }
                index += 1
                continue
            }
            switch byte {
            case quote:
                inString = true
                result.append(byte)
                index += 1
            case space where index + 1 < bytes.count && bytes[index + 1] == colon:
                index += 1  // drop the space before ':'
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                let close = byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
                var next = index + 1
                while next < bytes.count, bytes[next] == newline || bytes[next] == space { next += 1 }
                if next < bytes.count, bytes[next] == close {
                    result += [byte, close]
                    index = next + 1
                } else {
                    result.append(byte)
                    index += 1
                }
            default:
                result.append(byte)
                index += 1
            }
        }
        return result
    }
}
