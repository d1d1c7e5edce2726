import BurrowCore
import NIOCore

/// Follows the responses a service writes back to one HTTP visitor, without
/// copying or changing them: where each response head ends, its status, and
/// where its body ends (RFC 9112 §6.3: HEAD, 1xx, 204 and 304 have none; a
/// chunked body ends at its last chunk, a `Content-Length` one after that
/// many bytes, any other at the close). The router needs two facts from it:
/// whether the service accepted an `Upgrade` (101) or a `CONNECT` (2xx) —
/// only then does the connection stop being HTTP — and whether every request
/// has had its whole response, which is when a kept-alive connection is idle.
///
/// Bodies are skipped by arithmetic; only heads (bounded) and chunk-size
/// lines are looked at byte by byte. Anything it cannot follow puts it in
/// `lost`: the router then never takes the connection for idle and declines
/// any upgrade waiting for its answer (the safe side of both).
struct HTTPResponseFramer {
    /// What a forwarded request was, as far as its response's framing goes.
    enum Request: Equatable {
        case plain
        /// No body in the response, whatever its headers say.
        case head
        /// A 2xx answer turns the connection into a tunnel.
        case connect
        /// A 101 answer turns the connection into another protocol.
        case upgrade
    }

    /// The answer to an `Upgrade` or `CONNECT` request.
    enum Verdict: Equatable {
        case accepted
        case declined
    }

    private enum State: Equatable {
        case head
        case body(remaining: Int)
        case chunkSize(size: Int, digits: Int, extensionBytes: Int, inExtension: Bool)
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(lineLength: Int)
        case untilClose
        case raw
        case lost
    }

    private var state = State.head
    /// Requests forwarded whose response head has not come yet, oldest first.
    private var pending = CircularBuffer<Request>(initialCapacity: 4)
    /// The response head read so far (heads only; bounded by `maximumHead`).
    private var headBytes: [UInt8] = []
    static let maximumHead = 64 * 1024
    static let maximumChunkLine = 4096

    /// A request of `kind` went to the service.
    mutating func requestSent(_ kind: Request) {
        pending.append(kind)
    }

    /// Every request has had its whole response and no other has begun.
    var isIdle: Bool { state == .head && headBytes.isEmpty && pending.isEmpty }

    /// The service's bytes are no longer HTTP (an accepted upgrade or CONNECT).
    var isRaw: Bool { state == .raw }

    /// The framer could not follow the responses.
    var isLost: Bool { state == .lost }

    /// Reads the service's next bytes; returns the verdict on an `Upgrade` or
    /// `CONNECT` request whose response head was among them.
    mutating func consume(_ buffer: ByteBuffer) -> Verdict? {
        switch state {
        case .raw, .lost, .untilClose: return nil
        case .body(let remaining) where remaining > buffer.readableBytes:
            state = .body(remaining: remaining - buffer.readableBytes)
            return nil
        default:
            break
        }
        return buffer.withUnsafeReadableBytes { bytes in
            var verdict: Verdict?
            var index = 0
            while index < bytes.count {
                switch state {
                case .raw, .lost, .untilClose:
                    return verdict
                case .head:
                    // Up to and including the end of the head.
                    let start = index
                    var end: Int?
                    while index < bytes.count {
                        let byte = bytes[index]
                        index += 1
                        if byte == UInt8(ascii: "\n"), endsHead(bytes, start: start, at: index - 1) {
                            end = index
                            break
                        }
                    }
                    if end != nil, headBytes.isEmpty, index - start <= Self.maximumHead {
                        // The whole head in this buffer (the usual case): read in place, no copy.
                        if let answer = headComplete(UnsafeRawBufferPointer(rebasing: bytes[start..<index])) { verdict = answer }
                        if state == .lost { return verdict ?? declineIfWaiting() }
                        continue
                    }
                    headBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                    if headBytes.count > Self.maximumHead {
                        state = .lost
                        return verdict ?? declineIfWaiting()
                    }
                    if end != nil {
                        // Taken out while read (it is this framer's own storage), then put back empty.
                        var head: [UInt8] = []
                        swap(&head, &headBytes)
                        let answer = head.withUnsafeBytes { headComplete($0) }
                        head.removeAll(keepingCapacity: true)
                        headBytes = head
                        if let answer { verdict = answer }
                        if state == .lost { return verdict ?? declineIfWaiting() }
                    }
                case .body(let remaining):
                    let step = min(remaining, bytes.count - index)
                    index += step
                    state = remaining == step ? .head : .body(remaining: remaining - step)
                case .chunkData(let remaining):
                    let step = min(remaining, bytes.count - index)
                    index += step
                    state = remaining == step ? .chunkDataEnd : .chunkData(remaining: remaining - step)
                case .chunkDataEnd:
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\n") {
                        state = .chunkSize(size: 0, digits: 0, extensionBytes: 0, inExtension: false)
                    } else if byte != UInt8(ascii: "\r") {
                        state = .lost
                    }
                case .chunkSize(var size, var digits, var extensionBytes, var inExtension):
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\n") {
                        guard digits > 0 else {
                            state = .lost
                            break
                        }
                        state = size == 0 ? .trailers(lineLength: 0) : .chunkData(remaining: size)
                        break
                    }
                    if byte == UInt8(ascii: "\r") { break }
                    if !inExtension, let value = Self.hexValue(byte) {
                        guard digits < 15 else {
                            state = .lost
                            break
                        }
                        size = size << 4 | value
                        digits += 1
                    } else if digits > 0, byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                        inExtension = true
                    } else if inExtension {
                        extensionBytes += 1
                    } else {
                        state = .lost
                        break
                    }
                    state = extensionBytes > Self.maximumChunkLine
                        ? .lost
                        : .chunkSize(size: size, digits: digits, extensionBytes: extensionBytes, inExtension: inExtension)
                case .trailers(let lineLength):
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\n") {
                        state = lineLength == 0 ? .head : .trailers(lineLength: 0)
                    } else if byte != UInt8(ascii: "\r") {
                        state = lineLength >= Self.maximumHead ? .lost : .trailers(lineLength: lineLength + 1)
                    }
                }
            }
            if state == .lost { return verdict ?? declineIfWaiting() }
            return verdict
        }
    }

    /// An upgrade whose answer will now never be read counts as declined.
    private func declineIfWaiting() -> Verdict? {
        pending.contains { $0 == .connect || $0 == .upgrade } ? .declined : nil
    }

    /// True when the LF at `index` ends an empty line (CRLF CRLF or LF LF),
    /// looking back into this buffer and into the head read so far.
    private func endsHead(_ bytes: UnsafeRawBufferPointer, start: Int, at index: Int) -> Bool {
        func byte(_ back: Int) -> UInt8? {
            let position = index - back
            if position >= start { return bytes[position] }
            let fromHead = headBytes.count - (start - position)
            return fromHead >= 0 ? headBytes[fromHead] : nil
        }
        if byte(1) == UInt8(ascii: "\n") { return true }
        return byte(1) == UInt8(ascii: "\r") && byte(2) == UInt8(ascii: "\n")
    }

    /// A whole response head: decides how its body is framed. Read where it
    /// lies, line by line, without building lines or strings.
    private mutating func headComplete(_ head: UnsafeRawBufferPointer) -> Verdict? {
        var cursor = 0
        guard let statusLine = Self.nextLine(head, from: &cursor), let status = Self.status(head, statusLine),
              let request = pending.first
        else {
            state = .lost
            return nil
        }
        if (100...199).contains(status), status != 101 {
            return nil  // interim (100 Continue, 103 Early Hints): the final answer is still to come
        }
        pending.removeFirst()
        let waiting = request == .upgrade || request == .connect
        if status == 101 {
            guard request == .upgrade else {
                state = .lost
                return waiting ? .declined : nil
            }
            state = .raw
            return .accepted
        }
        if request == .connect, (200...299).contains(status) {
            state = .raw
            return .accepted
        }
        let verdict: Verdict? = waiting ? .declined : nil
        if request == .head || status == 204 || status == 304 {
            state = .head
            return verdict
        }
        var chunked: Bool?
        var length: Int?
        while let line = Self.nextLine(head, from: &cursor) {
            guard let colon = line.first(where: { head[$0] == UInt8(ascii: ":") }) else { continue }
            let name = line.lowerBound..<colon
            let value = HTTPWhitespace.trimmed(head, (colon + 1)..<line.upperBound)
            if ASCIICase.equals(head[name], lowercase: "transfer-encoding") {
                chunked = ASCIICase.equals(head[HTTPWhitespace.trimmed(head, Self.lastListElement(head, value))], lowercase: "chunked")
            } else if ASCIICase.equals(head[name], lowercase: "content-length") {
                guard let number = Self.decimal(head, value), length == nil || length == number else {
                    state = .lost
                    return verdict
                }
                length = number
            }
        }
        if let chunked {
            state = chunked ? .chunkSize(size: 0, digits: 0, extensionBytes: 0, inExtension: false) : .untilClose
        } else if let length {
            state = length == 0 ? .head : .body(remaining: length)
        } else {
            state = .untilClose
        }
        return verdict
    }

    /// The next non-empty line from `cursor` (without its CR LF), the cursor moved past it.
    private static func nextLine(_ head: UnsafeRawBufferPointer, from cursor: inout Int) -> Range<Int>? {
        while cursor < head.count {
            let start = cursor
            var end = start
            while end < head.count, head[end] != UInt8(ascii: "\n") { end += 1 }
            cursor = end + 1
            if end > start, head[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if end > start { return start..<end }
        }
        return nil
    }

    /// `HTTP/1.1 200 OK` → 200.
    private static func status(_ head: UnsafeRawBufferPointer, _ line: Range<Int>) -> Int? {
        let prefix: StaticString = "HTTP/1."
        guard line.count >= 12, equals(head, line.lowerBound..<(line.lowerBound + prefix.utf8CodeUnitCount), prefix),
              head[line.lowerBound + prefix.utf8CodeUnitCount + 1] == UInt8(ascii: " ")
        else { return nil }
        let digits = line.lowerBound + prefix.utf8CodeUnitCount + 2
        return decimal(head, digits..<(digits + 3))
    }

    /// The digits in `range` as a number (at most 18 of them, at least one), else nil.
    private static func decimal(_ head: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var number = 0
        for index in range {
            let byte = head[index]
            guard (48...57).contains(byte) else { return nil }
            number = number * 10 + Int(byte - 48)
        }
        return number
    }

    /// The last non-empty element of a comma-separated list (empty when there is none).
    private static func lastListElement(_ head: UnsafeRawBufferPointer, _ value: Range<Int>) -> Range<Int> {
        var end = value.upperBound
        while end > value.lowerBound {
            var start = end
            while start > value.lowerBound, head[start - 1] != UInt8(ascii: ",") { start -= 1 }
            if start < end { return start..<end }
            end = start - 1
        }
        return value.lowerBound..<value.lowerBound
    }

    private static func equals(_ head: UnsafeRawBufferPointer, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { wanted in
            var index = 0
            for position in range {
                guard head[position] == wanted[index] else { return false }
                index += 1
            }
            return true
        }
    }

    /// A hex digit's value (chunk sizes), shared with `HTTP1ResponseReader`.
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
