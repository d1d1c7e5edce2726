import BurrowCore

/// A captured body as lines to read: JSON pretty-printed, text as text,
/// anything else (or encoded) as a hex dump, with a note when only the
/// first 64 KiB were kept.
public enum BodyText {
    public enum Kind: Sendable, Equatable { case json, text, binary }

    /// The media type of a `Content-Type` value, lower case, without parameters.
    public static func mediaType(_ headers: [HTTPHeaderField]) -> String? {
        header("content-type", in: headers).map { value in
            String(value.split(separator: ";", maxSplits: 1).first ?? "").trimmingSpaces.lowercased()
        }
    }

    /// The first value of the header called `name` (lower case).
    public static func header(_ name: String, in headers: [HTTPHeaderField]) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }

    public static func kind(mediaType: String?, encoding: String?, body: [UInt8]) -> Kind {
        if let encoding, !encoding.isEmpty, encoding.lowercased() != "identity" { return .binary }
        guard decodeUTF8(body) != nil else { return .binary }
        if let type = mediaType {
            if type == "application/json" || type == "text/json" || type.hasSuffix("+json") {
                // An HTML error page sent as JSON reads better as what it is.
                return looksLikeJSON(body) ? .json : .text
            }
            if type.hasPrefix("text/") || type.hasSuffix("+xml") || type.hasSuffix("/xml")
                || type == "application/javascript" || type == "application/x-www-form-urlencoded" || type == "application/graphql" {
                return .text
            }
            if !type.isEmpty { return looksLikeText(body) ? .text : .binary }
        }
        // No type given: text when it reads as text.
        return looksLikeText(body) ? .text : .binary
    }

    /// The body as UTF-8, allowing a character cut in half by the 64 KiB capture.
    public static func decodeUTF8(_ body: [UInt8]) -> String? {
        for cut in 0...min(3, body.count) {
            if let text = String(validating: body.dropLast(cut), as: UTF8.self) { return text }
        }
        return nil
    }

    static func looksLikeJSON(_ body: [UInt8]) -> Bool {
        guard let first = body.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else { return true }
        return Array("{[\"-0123456789tfn".utf8).contains(first)
    }

    static func looksLikeText(_ body: [UInt8]) -> Bool {
        guard decodeUTF8(body) != nil else { return false }
        // Control bytes other than tab, CR, LF mean a binary format.
        return !body.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D || $0 == 0x7F }
    }

    /// The lines of a body: a note line when it is cut or empty, then the content.
    public static func lines(_ body: [UInt8], totalBytes: UInt64, mediaType: String?, encoding: String?, width: Int) -> [String] {
        var lines: [String] = []
        if totalBytes == 0 && body.isEmpty { return ["(no body)"] }
        let kind = kind(mediaType: mediaType, encoding: encoding, body: body)
        var note = totalBytes > UInt64(body.count) ? "first \(Format.bytes(UInt64(body.count)).replacingKB) of \(totalBytes) bytes" : "\(totalBytes) bytes"
        if let mediaType { note = mediaType + " · " + note }
        if let encoding, kind == .binary, !encoding.isEmpty { note += " · \(encoding)-encoded: shown as bytes" }
        lines.append("(" + note + ")")
        switch kind {
        case .json:
            lines += JSONPretty.format(decodeUTF8(body) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        case .text:
            lines += textLines(decodeUTF8(body) ?? "")
        case .binary:
            lines += hexDump(body, bytesPerLine: width >= 78 ? 16 : 8)
        }
        return lines
    }

    /// Text as display lines: CR dropped, tabs as four spaces, other control characters as "·".
    static func textLines(_ text: String) -> [String] {
        // "\r\n" is one Character to Swift.
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
            var shown = ""
            for scalar in line.unicodeScalars {
                switch scalar {
                case "\r": continue
                case "\t": shown += "    "
                case _ where scalar.value < 0x20 || scalar.value == 0x7F: shown += "·"
                default: shown.unicodeScalars.append(scalar)
                }
            }
            return shown
        }
    }

    /// `00000000  48 65 6c 6c 6f 0a …  |Hello.|`
    public static func hexDump(_ bytes: [UInt8], bytesPerLine: Int = 16) -> [String] {
        // Built as ASCII bytes: a 64 KiB body is 4096 lines, drawn on every frame.
        let digits = Array("0123456789abcdef".utf8)
        let space = UInt8(ascii: " ")
        var lines: [String] = []
        lines.reserveCapacity(bytes.count / bytesPerLine + 1)
        var line: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + bytesPerLine)
            line.removeAll(keepingCapacity: true)
            for shift in stride(from: 28, through: 0, by: -4) { line.append(digits[(offset >> shift) & 0xF]) }
            line.append(space)
            for index in 0..<bytesPerLine {
                if index % 8 == 0 { line.append(space) }
                if offset + index < end {
                    let byte = bytes[offset + index]
                    line.append(digits[Int(byte >> 4)])
                    line.append(digits[Int(byte & 0xF)])
                    line.append(space)
                } else {
                    line.append(contentsOf: [space, space, space])
                }
            }
            line.append(space)
            line.append(UInt8(ascii: "|"))
            for byte in bytes[offset..<end] { line.append(byte >= 0x20 && byte < 0x7F ? byte : UInt8(ascii: ".")) }
            line.append(UInt8(ascii: "|"))
            lines.append(String(decoding: line, as: UTF8.self))
            offset = end
        }
        return lines
    }
}
