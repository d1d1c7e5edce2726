/// Standard base64 (RFC 4648, with padding) decoding for the one header that
/// uses it (basic auth); nil for anything malformed. Kept by hand on purpose:
/// NIO and swift-crypto ship no public base64 decoder, and Foundation's
/// `Data(base64Encoded:)` stays off the visitor data path (key lines and
/// fingerprints, off that path, use Foundation and `OpenSSHKey`).
enum Base64 {
    static func decode(_ text: Substring) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0, input.count <= 4096 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            var values: [UInt8] = []
            var padding = 0
            for offset in 0..<4 {
                let character = input[index + offset]
                if character == UInt8(ascii: "=") {
                    // Padding only at the very end, at most two.
                    guard index + 4 == input.count, offset >= 2 else { return nil }
                    padding += 1
                    values.append(0)
                } else {
                    guard padding == 0, let value = Self.value(character) else { return nil }
                    values.append(value)
                }
            }
            let triple = UInt32(values[0]) << 18 | UInt32(values[1]) << 12 | UInt32(values[2]) << 6 | UInt32(values[3])
            output.append(UInt8(truncatingIfNeeded: triple >> 16))
            if padding < 2 { output.append(UInt8(truncatingIfNeeded: triple >> 8)) }
            if padding < 1 { output.append(UInt8(truncatingIfNeeded: triple)) }
            index += 4
        }
        return output
    }

    private static func value(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
