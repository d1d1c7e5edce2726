import BurrowCore

/// A recorded request as the text `R` opens in `$EDITOR`, and that text read
/// back: the request line, the headers, a blank line, the body. Framing
/// headers (Content-Length, Transfer-Encoding) are left out: the engine
/// recomputes them from the edited body.
public enum RequestText {
    static let framingHeaders: Set<String> = ["content-length", "transfer-encoding"]

    /// Why a request cannot be edited as text (nil: it can).
    public static func cannotEdit(_ exchange: HTTPExchange) -> String? {
        if exchange.requestBodyTruncated {
            return "cannot edit: the request body was cut at 64 KiB (r replays it as recorded only when it was kept whole)"
        }
        if !exchange.requestBody.isEmpty, String(validating: exchange.requestBody, as: UTF8.self) == nil {
            return "cannot edit: the request body is binary (\(exchange.requestBody.count) bytes); r replays it as recorded"
        }
        return nil
    }

    /// The editable text. Each line ends in "\n"; a body gets one more "\n"
    /// at its end, which `parse` takes off again (editors add one anyway).
    public static func format(_ exchange: HTTPExchange) -> String {
        var text = "\(exchange.method) \(exchange.target) \(exchange.version)\n"
        for field in exchange.requestHeaders where !framingHeaders.contains(field.name.lowercased()) {
            text += "\(field.name): \(field.value)\n"
        }
        text += "\n"
        if !exchange.requestBody.isEmpty {
            text += String(decoding: exchange.requestBody, as: UTF8.self) + "\n"
        }
        return text
    }

    /// The request the text describes. Lines may end in "\n" or "\r\n".
    public static func parse(_ text: String) throws(RequestTextError) -> HTTPReplayRequest {
        var rest = Substring(text)
        // Blank lines before the request line are forgiven (RFC 9112 §2.2).
        rest = rest.drop(while: { $0 == "\n" || $0 == "\r\n" })
        guard !rest.isEmpty else { throw RequestTextError(line: 1, message: "the request is empty") }
        var lineNumber = text.prefix(text.count - rest.count).filter { $0 == "\n" || $0 == "\r\n" }.count + 1

        func nextLine() -> Substring? {
            guard !rest.isEmpty else { return nil }
            if let end = rest.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) {
                let line = rest[..<end]
                rest = rest[rest.index(after: end)...]
                return line.hasSuffix("\r") ? line.dropLast() : line
            }
            defer { rest = rest[rest.endIndex...] }
            return rest
        }

        let requestLine = nextLine() ?? ""
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw RequestTextError(line: lineNumber, message: "'\(requestLine)' is not a request line: write METHOD TARGET HTTP/1.1, e.g. GET /path HTTP/1.1")
        }
        let method = String(parts[0])
        guard method.unicodeScalars.allSatisfy(isTokenCharacter) else {
            throw RequestTextError(line: lineNumber, message: "'\(method)' is not a method: use letters such as GET or POST")
        }
        let target = String(parts[1])
        guard target.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw RequestTextError(line: lineNumber, message: "the target '\(target)' has a control character in it")
        }
        guard target.hasPrefix("/") || target == "*" || target.hasPrefix("http://") || target.hasPrefix("https://") else {
            throw RequestTextError(line: lineNumber, message: "the target '\(target)' must start with / (e.g. /path?query)")
        }
        if parts.count == 3 {
            let version = parts[2]
            guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
                throw RequestTextError(line: lineNumber, message: "'\(version)' is not an HTTP version: use HTTP/1.1")
            }
        }

        var headers: [HTTPHeaderField] = []
        while true {
            lineNumber += 1
            guard let line = nextLine() else { break }
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t" {
                throw RequestTextError(line: lineNumber, message: "a header cannot continue on an indented line: put it on one line")
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw RequestTextError(line: lineNumber, message: "'\(line)' is not a header: write Name: value (and a blank line before the body)")
            }
            let name = String(line[..<colon])
            guard !name.isEmpty, name.unicodeScalars.allSatisfy(isTokenCharacter) else {
                throw RequestTextError(line: lineNumber, message: "'\(name)' is not a header name: use letters, digits and - (no spaces before the colon)")
            }
            let value = String(line[line.index(after: colon)...]).trimmingSpaces
            guard !value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) else {
                throw RequestTextError(line: lineNumber, message: "the value of \(name) has a control character in it")
            }
            if framingHeaders.contains(name.lowercased()) { continue }
            headers.append(HTTPHeaderField(name: name, value: value))
        }
        var body = String(rest)
        if body.hasSuffix("\r\n") { body.removeLast() } else if body.hasSuffix("\n") { body.removeLast() }
        return HTTPReplayRequest(method: method, target: target, headers: headers, body: Array(body.utf8))
    }

    /// RFC 9110 `tchar`.
    static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "^", "_", "`", "|", "~": return true
        default: return false
        }
    }
}
