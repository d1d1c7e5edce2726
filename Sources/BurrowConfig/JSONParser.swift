/// A strict RFC 8259 parser that tracks line and column (1-based, columns in
/// characters of the line) and rejects duplicate keys. It is kept, rather than
/// Foundation's `JSONSerialization`/`JSONDecoder`, because every error in a
/// hand-edited Burrow file must name line:column, and a duplicate or unknown
/// key must be refused (not silently last-wins or ignored): Foundation's
/// parsers report no positions on every platform, accept duplicate keys, and
/// Codable ignores unknown ones. `JSONObjectReader` rejects unknown keys using
/// the positions kept here; `JSONFile` is the entry point for files on disk.
struct JSONParser {
    struct Failure: Error {
        var line: Int
        var column: Int
        var message: String
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    private static let maxDepth = 64

    static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        // A UTF-8 byte order mark is harmless; some editors add one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            parser.index = 3
            parser.lineStart = 3
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Failure(line: 1, column: 1, message: "the file is not valid UTF-8 text")
        }
        parser.skipWhitespace()
        if parser.index == bytes.count { throw parser.failure("the file is empty; expected a JSON object") }
        let node = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < bytes.count { throw parser.failure("unexpected \(parser.describeCurrent()) after the end of the JSON value") }
        return node
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var column: Int {
        // Count characters, not bytes, so the column matches what editors show.
        1 + String(decoding: bytes[lineStart..<min(index, bytes.count)], as: UTF8.self).count
    }

    private func failure(_ message: String) -> Failure {
        Failure(line: line, column: column, message: message)
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7F { return "'\(String(UnicodeScalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D:
                index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    private mutating func parseValue() throws(Failure) -> JSONNode {
        let startLine = line
        let startColumn = column
        guard index < bytes.count else { throw failure("unexpected end of file; expected a value") }
        let value: JSONNode.Value
        switch bytes[index] {
        case UInt8(ascii: "{"): value = try parseObject()
        case UInt8(ascii: "["): value = try parseArray()
        case UInt8(ascii: "\""): value = .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); value = .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); value = .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); value = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = .number(try parseNumber())
        default: throw failure("unexpected \(describeCurrent()); expected a value")
        }
        return JSONNode(value: value, line: startLine, column: startColumn)
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > JSONParser.maxDepth { throw failure("nested too deeply") }
    }

    private mutating func parseObject() throws(Failure) -> JSONNode.Value {
        try enter()
        defer { depth -= 1 }
        if openContainer(closing: "}") { return .object([]) }
        var members: [JSONNode.Member] = []
        var seen: Set<String> = []
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw failure("unexpected \(describeCurrent()); expected a field name in double quotes")
            }
            let keyLine = line
            let keyColumn = column
            let key = try parseString()
            if !seen.insert(key).inserted {
                throw Failure(line: keyLine, column: keyColumn, message: "field '\(key)' appears twice")
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw failure("unexpected \(describeCurrent()); expected ':' after field name '\(key)'")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(.init(key: key, keyLine: keyLine, keyColumn: keyColumn, value: value))
            if try endOfItem(closing: "}") { return .object(members) }
        }
    }

    private mutating func parseArray() throws(Failure) -> JSONNode.Value {
        try enter()
        defer { depth -= 1 }
        if openContainer(closing: "]") { return .array([]) }
        var elements: [JSONNode] = []
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            if try endOfItem(closing: "]") { return .array(elements) }
        }
    }

    /// Steps over the opening bracket; true (and over the closing one too)
    /// when the container is empty.
    private mutating func openContainer(closing: Unicode.Scalar) -> Bool {
        index += 1
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: closing) else { return false }
        index += 1
        return true
    }

    /// After a member of an object or an element of an array: `,` (more
    /// follows; a trailing comma is an error) or the closing bracket (true:
    /// the container ended).
    private mutating func endOfItem(closing: Unicode.Scalar) throws(Failure) -> Bool {
        skipWhitespace()
        let close = UInt8(ascii: closing)
        guard index < bytes.count else { throw failure("unexpected end of file; expected ',' or '\(closing)'") }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == close { throw failure("trailing ',' before '\(closing)'") }
            return false
        }
        if bytes[index] == close {
            index += 1
            return true
        }
        throw failure("unexpected \(describeCurrent()); expected ',' or '\(closing)' (is a comma missing?)")
    }

    private mutating func expectLiteral(_ word: String) throws(Failure) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw failure("unexpected \(describeCurrent()); expected a value (strings need double quotes)")
        }
        index += expected.count
    }

    private mutating func parseNumber() throws(Failure) -> String {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.index
            while parser.index < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index]) {
                parser.index += 1
            }
            return parser.index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let intStart = index
        let intDigits = digits(&self)
        if intDigits == 0 { throw failure("invalid number: expected a digit") }
        if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") {
            throw Failure(line: line, column: column - intDigits + 1, message: "invalid number: leading zeros are not allowed")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            if digits(&self) == 0 { throw failure("invalid number: expected a digit after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            if digits(&self) == 0 { throw failure("invalid number: expected a digit in the exponent") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func parseString() throws(Failure) -> String {
        index += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        var run = index  // start of the current unescaped run
        func flush(_ parser: JSONParser, _ scalars: inout String.UnicodeScalarView, to end: Int) {
            scalars.append(contentsOf: String(decoding: parser.bytes[run..<end], as: UTF8.self).unicodeScalars)
        }
        while true {
            guard index < bytes.count else { throw failure("unexpected end of file inside a string (missing '\"')") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flush(self, &scalars, to: index)
                index += 1
                return String(scalars)
            }
            if byte < 0x20 {
                throw failure(byte == 0x0A ? "line break inside a string (missing '\"'?)" : "control character inside a string")
            }
            if byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            flush(self, &scalars, to: index)
            index += 1
            guard index < bytes.count else { throw failure("unexpected end of file inside a string") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw failure("invalid \\u escape: lone surrogate")
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw failure("invalid \\u escape: bad surrogate pair") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
                scalars.append(scalar)
            default:
                index -= 1
                throw failure("invalid escape '\\\(String(UnicodeScalar(escape)))' in a string")
            }
            run = index
        }
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("invalid \\u escape: expected 4 hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape: expected 4 hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
