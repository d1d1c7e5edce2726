#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BurrowCore
import NIOCore

/// Follows one direction of an HTTP/1.1 stream by its framing alone, as a
/// value: heads are read (up to `maxHeadBytes`), bodies are skipped by
/// `Content-Length` or chunk sizes without looking at, copying or parsing
/// their bytes. It reports each head and each message's end (with its body
/// size). Anything it cannot read makes it give up (`.lost`); the tap then
/// stops looking and the bytes flow on untouched. With `captures` on (the
/// inspector), heads also yield their version, reason, raw bytes and body length, and
/// each piece of body data (de-chunked) is reported by its place in the
/// buffer being scanned, so the tap copies only what it keeps.
struct HTTPMessageScanner {
    enum Direction { case request, response }

    struct Head: Equatable {
        /// Request: method and target. Response: status.
        var method = ""
        var target = ""
        var status = 0
        var burrowError = false
        var upgrade = false
        /// Only with `captures`: e.g. "HTTP/1.1", the response's reason, the
        /// head's bytes as received (kept as one array; fields are read from it
        /// when asked for) and the body's `Content-Length`.
        var version = ""
        var reason = ""
        var raw: [UInt8] = []
        var contentLength: UInt64?

        /// The fields of `raw`, in order.
        var fields: [HTTPHeaderField] { HTTPHeadFields.parse(raw) }
    }

    enum Event: Equatable {
        case head(Head)
        /// The message (its body included) ended; body bytes as framed.
        case end(bodyBytes: UInt64)
        /// Only with `captures`: body data at `at..<at+length` of the scanned buffer's readable bytes.
        case body(at: Int, length: Int)
    }

    enum State: Equatable {
        case head
        case fixed(remaining: UInt64)
        case chunkSize
        case chunkData(remaining: UInt64)
        case chunkDataEnd(remaining: Int)
        case trailers
        /// A response with no length: its body runs to the connection's end.
        case untilClose
        case lost
    }

    static let maxHeadBytes = 64 * 1024
    static let maxLineBytes = 4 * 1024

    let direction: Direction
    /// Report versions, reasons, raw heads and body pieces (the inspector is on).
    let captures: Bool
    private(set) var state: State = .head
    private var line: [UInt8] = []
    private var headBytes: [UInt8] = []
    private var bodyBytes: UInt64 = 0
    /// Response side: the methods of requests not yet answered (HEAD has no body).
    private var methods: [String] = []

    init(direction: Direction, captures: Bool = false) {
        self.direction = direction
        self.captures = captures
    }

    /// Response side: a request with this method was sent.
    mutating func expectResponse(toMethod method: String) {
        methods.append(method)
    }

    /// Consumes `buffer` (not stored, not copied beyond heads and size lines).
    mutating func scan(_ buffer: ByteBuffer, _ report: (Event) -> Void) {
        buffer.withUnsafeReadableBytes { bytes in
            var index = 0
            while index < bytes.count {
                switch state {
                case .lost, .untilClose:
                    if state == .untilClose {
                        if captures { report(.body(at: index, length: bytes.count - index)) }
                        bodyBytes += UInt64(bytes.count - index)
                    }
                    return
                case .fixed(let remaining):
                    let take = min(UInt64(bytes.count - index), remaining)
                    if captures, take > 0 { report(.body(at: index, length: Int(take))) }
                    index += Int(take)
                    bodyBytes += take
                    if take == remaining {
                        finish(report)
                    } else {
                        state = .fixed(remaining: remaining - take)
                    }
                case .chunkData(let remaining):
                    let take = min(UInt64(bytes.count - index), remaining)
                    if captures, take > 0 { report(.body(at: index, length: Int(take))) }
                    index += Int(take)
                    bodyBytes += take
                    state = take == remaining ? .chunkDataEnd(remaining: 2) : .chunkData(remaining: remaining - take)
                case .chunkDataEnd(let remaining):
                    // The CRLF after a chunk's data (a bare LF is tolerated here: the relay judged framing already).
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\n") {
                        state = .chunkSize
                    } else if byte == UInt8(ascii: "\r"), remaining == 2 {
                        state = .chunkDataEnd(remaining: 1)
                    } else {
                        state = .lost
                    }
                case .head:
                    // Lines are found in place; the head's bytes are copied only when
                    // it spans reads (into `headBytes`) or the inspector keeps them.
                    let start = index
                    var complete = false
                    while index < bytes.count {
                        let rest = UnsafeRawBufferPointer(rebasing: bytes[index...])
                        index += Self.lineFeed(in: rest).map { $0 + 1 } ?? rest.count
                        let total = headBytes.count + index - start
                        if total > Self.maxHeadBytes {
                            state = .lost
                            headBytes = []
                            return
                        }
                        if bytes[index - 1] == UInt8(ascii: "\n"), total >= 2,
                           Self.endsHead(headBytes, UnsafeRawBufferPointer(rebasing: bytes[start..<index])) {
                            complete = true
                            break
                        }
                    }
                    let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                    if !complete {
                        headBytes.append(contentsOf: piece)
                    } else if headBytes.isEmpty {
                        parseHead(piece, report)  // the whole head in this read: no copy at all
                    } else {
                        // Nothing keeps the working buffer: parse it where it is and reuse it.
                        headBytes.append(contentsOf: piece)
                        var head: [UInt8] = []
                        swap(&head, &headBytes)
                        head.withUnsafeBytes { parseHead($0, report) }
                        head.removeAll(keepingCapacity: true)
                        headBytes = head
                    }
                case .chunkSize, .trailers:
                    // Line-oriented parts: byte by byte, but only over size lines and trailers.
                    let byte = bytes[index]
                    index += 1
                    do {
                        if byte != UInt8(ascii: "\n") {
                            line.append(byte)
                            if line.count > Self.maxLineBytes { state = .lost; return }
                            continue
                        }
                        if line.last == UInt8(ascii: "\r") { line.removeLast() }
                        let text = line
                        line.removeAll(keepingCapacity: true)
                        if state == .chunkSize {
                            guard let size = Self.chunkSize(text) else { state = .lost; return }
                            state = size == 0 ? .trailers : .chunkData(remaining: size)
                        } else if text.isEmpty {
                            finish(report)
                        }
                    }
                }
            }
        }
    }

    /// The connection ended: a body running to the close ends here.
    mutating func connectionClosed(_ report: (Event) -> Void) {
        if state == .untilClose { finish(report) }
    }

    // MARK: - Heads

    /// Whether the head read so far (`earlier`, then `last`, which ends in LF)
    /// ends with an empty line: CR LF CR LF, or LF LF.
    private static func endsHead(_ earlier: [UInt8], _ last: UnsafeRawBufferPointer) -> Bool {
        let count = earlier.count + last.count
        func byte(_ position: Int) -> UInt8 {
            position >= earlier.count ? last[position - earlier.count] : earlier[position]
        }
        if count >= 4, byte(count - 4) == 13, byte(count - 3) == 10, byte(count - 2) == 13 { return true }
        return count >= 2 && byte(count - 2) == 10  // LF LF
    }

    /// `bytes`: one whole head, up to and including its empty line. Lines are
    /// read in place; only the start line's parts and the framing fields' values become strings.
    private mutating func parseHead(_ bytes: UnsafeRawBufferPointer, _ report: (Event) -> Void) {
        // The head's lines without their line ends (CR LF or LF), in order.
        var lineStart = 0
        func nextLine() -> UnsafeRawBufferPointer? {
            guard lineStart < bytes.count else { return nil }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[lineStart...])
            let length = Self.lineFeed(in: rest) ?? rest.count
            var line = UnsafeRawBufferPointer(rebasing: rest[..<length])
            lineStart += length + 1
            if line.last == UInt8(ascii: "\r") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
            return line
        }
        /// Only empty lines (LF or CR LF) left: the head's end.
        func atEnd() -> Bool {
            var probe = lineStart
            while probe < bytes.count {
                if bytes[probe] == UInt8(ascii: "\n") {
                    probe += 1
                } else if bytes[probe] == UInt8(ascii: "\r"), probe + 1 == bytes.count || bytes[probe + 1] == UInt8(ascii: "\n") {
                    probe += 2
                } else {
                    return false
                }
            }
            return true
        }
        guard let start = nextLine(), !(start.isEmpty && atEnd()) else { state = .lost; return }
        let parts = start.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: true)
        var head = Head()
        var length: UInt64?
        var chunked = false
        var connectionUpgrade = false
        while let field = nextLine() {
            if field.isEmpty, atEnd() { break }
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { state = .lost; return }
            // Only the four fields the framing needs become strings.
            guard let name = Self.framingField(UnsafeRawBufferPointer(rebasing: field[..<colon])) else { continue }
            let value = HTTPWhitespace.trimmed(UnsafeRawBufferPointer(rebasing: field[(colon + 1)...]))
            switch name {
            case "content-length":
                guard let parsed = UInt64(String(decoding: value, as: UTF8.self)), length == nil || length == parsed else {
                    state = .lost
                    return
                }
                length = parsed
            case "transfer-encoding":
                chunked = Self.endsInChunked(value)
            case "connection":
                connectionUpgrade = connectionUpgrade || Self.mentionsUpgrade(value)
            case "x-burrow-error":
                head.burrowError = true
            default:
                break
            }
        }
        var hasBody: Bool
        switch direction {
        case .request:
            guard parts.count == 3 else { state = .lost; return }
            head.method = String(decoding: parts[0], as: UTF8.self)
            head.target = String(decoding: parts[1], as: UTF8.self)
            head.upgrade = connectionUpgrade || head.method == "CONNECT"
            if captures { head.version = String(decoding: parts[2], as: UTF8.self) }
            hasBody = chunked || (length ?? 0) > 0
        case .response:
            guard parts.count >= 2, let status = Int(String(decoding: parts[1], as: UTF8.self)) else { state = .lost; return }
            head.status = status
            if captures {
                head.version = String(decoding: parts[0], as: UTF8.self)
                head.reason = parts.count > 2 ? String(decoding: parts[2], as: UTF8.self) : ""
            }
            if (100..<200).contains(status), status != 101 {
                return  // an interim answer: the real one follows; no event
            }
            let method = methods.isEmpty ? "GET" : methods.removeFirst()
            head.upgrade = status == 101 || (method == "CONNECT" && (200..<300).contains(status))
            hasBody = !(method == "HEAD" || status == 204 || status == 304 || head.upgrade)
        }
        if captures {
            head.raw = Array(bytes)  // an exact-size copy: the inspector keeps it
            head.contentLength = chunked ? nil : length
        }
        report(.head(head))
        bodyBytes = 0
        if head.upgrade, direction == .response {
            report(.end(bodyBytes: 0))
            state = .lost  // from here on the bytes are another protocol's
            return
        }
        if !hasBody || (!chunked && length == 0) {
            // `Content-Length: 0` ends here, not when the next message's first byte arrives.
            finish(report)
        } else if chunked {
            state = .chunkSize
        } else if let length {
            state = .fixed(remaining: length)
        } else if direction == .response {
            state = .untilClose
        } else {
            finish(report)
        }
    }

    static let framingFields: [StaticString] = ["content-length", "transfer-encoding", "connection", "x-burrow-error"]

    /// The field name (lowercase) when `name` is one the framing reads, compared without case and without a string.
    private static func framingField(_ name: UnsafeRawBufferPointer) -> String? {
        framingFields.first { ASCIICase.equals(name, lowercase: $0) }?.description
    }

    // MARK: - Field values, as bytes (ASCII; anything else is judged as a string, as it always was)

    /// The offset of the first LF in `bytes` (memchr: heads are searched, not walked byte by byte).
    private static func lineFeed(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let found = memchr(base, 0x0A, bytes.count) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// Transfer-Encoding: its last coding (empty items skipped) is `chunked`, in any case.
    private static func endsInChunked(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.allSatisfy({ $0 < 0x80 }) else {
            return String(decoding: value, as: UTF8.self).lowercased().split(separator: ",").last.map { HTTPWhitespace.trimmed($0) == "chunked" } ?? false
        }
        var end = value.endIndex
        while end > value.startIndex, value[end - 1] == UInt8(ascii: ",") { end -= 1 }
        var start = end
        while start > value.startIndex, value[start - 1] != UInt8(ascii: ",") { start -= 1 }
        return ASCIICase.equals(value[HTTPWhitespace.trimmed(value, start..<end)], lowercase: "chunked")
    }

    /// Connection: mentions `upgrade` anywhere, in any case.
    private static func mentionsUpgrade(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.allSatisfy({ $0 < 0x80 }) else {
            let lowered = Array(String(decoding: value, as: UTF8.self).lowercased().utf8)
            return lowered.withUnsafeBytes { contains($0, "upgrade") }
        }
        return contains(value, "upgrade")
    }

    /// `bytes` contains `word` (lowercase ASCII) without regard to ASCII case.
    private static func contains(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard bytes.count >= length else { return false }
        for start in bytes.startIndex...(bytes.endIndex - length)
        where ASCIICase.equals(bytes[start..<(start + length)], lowercase: word) {
            return true
        }
        return false
    }

    private mutating func finish(_ report: (Event) -> Void) {
        report(.end(bodyBytes: bodyBytes))
        bodyBytes = 0
        state = .head
    }

    /// Hex digits, then optional `;extensions`.
    static func chunkSize(_ line: [UInt8]) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        for byte in line {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                return digits > 0 ? value : nil
            default: return nil
            }
            digits += 1
            guard digits <= 15 else { return nil }
            value = value << 4 | digit
        }
        return digits > 0 ? value : nil
    }
}
