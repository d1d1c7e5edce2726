import BurrowCore

/// Reads the fields of an HTTP/1.1 head kept as bytes (the inspector keeps
/// heads whole, one array each, and makes fields only when they are asked for).
enum HTTPHeadFields {
    /// The fields after the start line, in order, values trimmed; lines without a colon are skipped.
    static func parse(_ raw: [UInt8]) -> [HTTPHeaderField] {
        var fields: [HTTPHeaderField] = []
        var lines = raw.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropFirst()
        while let line = lines.popFirst() {
            let content = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            guard !content.isEmpty else { break }
            guard let colon = content.firstIndex(of: UInt8(ascii: ":")) else { continue }
            var value = content[(colon + 1)...]
            while let first = value.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { value.removeFirst() }
            while let last = value.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { value.removeLast() }
            fields.append(HTTPHeaderField(name: String(decoding: content[..<colon], as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
        return fields
    }
}
