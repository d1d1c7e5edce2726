import BurrowCore
import NIOCore

/// Reads the HTTP/1.1 response the agent sends back for one HTTP/2 stream
/// (one request per `forwarded-tcpip` channel) into what an HTTP/2 response
/// is made of: heads (1xx ones first, then the final one), body pieces with
/// the HTTP/1.1 framing taken off, and the end. RFC 9112 §6.3 decides where
/// the body ends: none after HEAD, 1xx, 204 and 304; a chunked body at its
/// last chunk (its trailers are skipped: HTTP/2 visitors get no trailers); a
/// `Content-Length` one after that many bytes; any other at the close.
///
/// Body pieces are slices of the buffers read, never copies; only heads
/// (bounded by `maximumHead`) and chunk-size lines are looked at byte by
/// byte. A value: `HTTP1ResponseReaderTests` drives it without a channel.
struct HTTP1ResponseReader {
    enum Event: Equatable {
        /// A response head: 1xx ones may come before the final one.
        case head(status: Int, headers: [(name: String, value: String)])
        case body(ByteBuffer)
        case end

        static func == (lhs: Event, rhs: Event) -> Bool {
            switch (lhs, rhs) {
            case (.head(let a, let x), .head(let b, let y)):
                return a == b && x.map(\.name) == y.map(\.name) && x.map(\.value) == y.map(\.value)
            case (.body(let x), .body(let y)): return x == y
            case (.end, .end): return true
            default: return false
            }
        }
    }

    /// What the service sent cannot be read as an HTTP/1.1 response.
    struct Malformed: Error, Equatable {
        let reason: String
    }

    private enum State: Equatable {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    private var state = State.head
    /// The head (or chunk-size line, or trailer line) read so far.
    private var line: [UInt8] = []
    /// Trailer bytes skipped so far (bounded like a head).
    private var trailerBytes = 0
    let maximumHead: Int
    static let maximumChunkLine = 4096

    /// The request was `HEAD`: its response has no body whatever it says.
    var requestIsHEAD = false

    init(maximumHead: Int = 64 * 1024) {
        self.maximumHead = maximumHead
    }

    /// The final response has ended (later bytes are not part of it).
    var isComplete: Bool { state == .done }

    /// The final head has come and the body runs until the service closes.
    var endsAtClose: Bool { state == .untilClose }

    /// No final head yet.
    var awaitingHead: Bool { state == .head }

    /// Reads the service's next bytes; bytes after the end of the final
    /// response are ignored.
    mutating func read(_ buffer: ByteBuffer) throws(Malformed) -> [Event] {
        var buffer = buffer
        var events: [Event] = []
        while buffer.readableBytes > 0 {
            switch state {
            case .done:
                return events
            case .untilClose:
                events.append(.body(buffer))
                return events
            case .body(let remaining):
                let step = min(remaining, buffer.readableBytes)
                events.append(.body(buffer.readSlice(length: step)!))
                if step == remaining {
                    state = .done
                    events.append(.end)
                } else {
                    state = .body(remaining: remaining - step)
                }
            case .chunkData(let remaining):
                let step = min(remaining, buffer.readableBytes)
                events.append(.body(buffer.readSlice(length: step)!))
                state = step == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - step)
            case .chunkDataEnd:
                guard let lineEnd = try readLine(&buffer, limit: 2) else { continue }
                guard lineEnd.isEmpty else { throw Malformed(reason: "a chunk is longer than its size") }
                state = .chunkSize
            case .chunkSize:
                guard let sizeLine = try readLine(&buffer, limit: Self.maximumChunkLine) else { continue }
                let size = try Self.chunkSize(sizeLine)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .trailers:
                guard let trailer = try readLine(&buffer, limit: maximumHead) else { continue }
                trailerBytes += trailer.count + 2
                guard trailerBytes <= maximumHead else { throw Malformed(reason: "trailers larger than \(maximumHead) bytes") }
                if trailer.isEmpty {
                    state = .done
                    events.append(.end)
                }
            case .head:
                guard let head = try readHead(&buffer) else { continue }
                try headComplete(head, &events)
            }
        }
        return events
    }

    /// The service closed its side: a body that runs until the close ends
    /// here; any other unfinished response is cut short (nil).
    mutating func closed() -> Event? {
        switch state {
        case .untilClose:
            state = .done
            return .end
        default:
            return nil
        }
    }

    // MARK: heads

    /// Up to the empty line that ends a head; nil while it has not come.
    private mutating func readHead(_ buffer: inout ByteBuffer) throws(Malformed) -> [UInt8]? {
        let view = buffer.readableBytesView
        var index = view.startIndex
        while index < view.endIndex {
            let byte = view[index]
            index += 1
            line.append(byte)
            if byte == UInt8(ascii: "\n"), Self.endsHead(line) {
                buffer.moveReaderIndex(forwardBy: index - view.startIndex)
                let head = line
                line.removeAll(keepingCapacity: true)
                return head
            }
            if line.count > maximumHead { throw Malformed(reason: "a response head larger than \(maximumHead) bytes") }
        }
        buffer.moveReaderIndex(forwardBy: view.count)
        return nil
    }

    /// The head read so far ends with an empty line (CRLF CRLF, or bare LFs).
    private static func endsHead(_ bytes: [UInt8]) -> Bool {
        let count = bytes.count
        if count >= 2, bytes[count - 2] == UInt8(ascii: "\n") { return true }
        return count >= 3 && bytes[count - 2] == UInt8(ascii: "\r") && bytes[count - 3] == UInt8(ascii: "\n")
    }

    private mutating func headComplete(_ head: [UInt8], _ events: inout [Event]) throws(Malformed) {
        var lines = Self.lines(head)
        // Empty lines before a status line are tolerated (RFC 9112 §2.2).
        while lines.first?.isEmpty == true { lines.removeFirst() }
        guard let statusLine = lines.first else { throw Malformed(reason: "an empty response head") }
        let status = try Self.status(statusLine)
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard line.first != UInt8(ascii: " "), line.first != UInt8(ascii: "\t") else {
                throw Malformed(reason: "a folded header line")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw Malformed(reason: "a header line without a name")
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            guard name.utf8.allSatisfy(HTTP2RequestTranslator.isTokenByte) else { throw Malformed(reason: "a bad header name") }
            let value = HTTPWhitespace.trimmed(String(decoding: line[(colon + 1)...], as: UTF8.self))
            headers.append((name, value))
        }
        events.append(.head(status: status, headers: headers))
        if (100..<200).contains(status) {
            // 101 would turn the stream into another protocol: HTTP/2 has no such thing.
            guard status != 101 else { throw Malformed(reason: "a 101 Switching Protocols answer on an HTTP/2 stream") }
            return
        }
        if requestIsHEAD || status == 204 || status == 304 {
            state = .done
            events.append(.end)
            return
        }
        let codings = headers.filter { $0.name.lowercased() == "transfer-encoding" }.map(\.value)
        if !codings.isEmpty {
            let last = codings.joined(separator: ",").split(separator: ",").last.map(HTTPWhitespace.trimmed)?.lowercased()
            state = last == "chunked" ? .chunkSize : .untilClose
            return
        }
        let lengths = Set(headers.filter { $0.name.lowercased() == "content-length" }
            .flatMap { $0.value.split(separator: ",").map(HTTPWhitespace.trimmed) })
        if lengths.isEmpty {
            state = .untilClose
            return
        }
        guard lengths.count == 1, let text = lengths.first, !text.isEmpty, text.utf8.count <= 18,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let length = Int(text)
        else { throw Malformed(reason: "a bad Content-Length") }
        if length == 0 {
            state = .done
            events.append(.end)
        } else {
            state = .body(remaining: length)
        }
    }

    /// `HTTP/1.1 200 OK` → 200.
    private static func status(_ line: ArraySlice<UInt8>) throws(Malformed) -> Int {
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].starts(with: Array("HTTP/1.".utf8)), parts[1].count == 3,
              let status = Int(String(decoding: parts[1], as: UTF8.self)), (100...999).contains(status)
        else { throw Malformed(reason: "a bad status line") }
        return status
    }

    /// The head's lines without their CR LF (or LF).
    private static func lines(_ head: [UInt8]) -> [ArraySlice<UInt8>] {
        head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }.dropLast()
    }

    // MARK: chunks

    /// One line (CRLF or LF ended, without it), or nil while it has not come.
    private mutating func readLine(_ buffer: inout ByteBuffer, limit: Int) throws(Malformed) -> [UInt8]? {
        let view = buffer.readableBytesView
        if let newline = view.firstIndex(of: UInt8(ascii: "\n")) {
            line.append(contentsOf: view[view.startIndex..<newline])
            buffer.moveReaderIndex(forwardBy: newline - view.startIndex + 1)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            guard line.count <= limit else { throw Malformed(reason: "a chunk line longer than \(limit) bytes") }
            let done = line
            line.removeAll(keepingCapacity: true)
            return done
        }
        line.append(contentsOf: view)
        buffer.moveReaderIndex(forwardBy: view.count)
        guard line.count <= limit + 1 else { throw Malformed(reason: "a chunk line longer than \(limit) bytes") }
        return nil
    }

    /// `1a;name=value` → 26.
    private static func chunkSize(_ line: [UInt8]) throws(Malformed) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let value = HTTPResponseFramer.hexValue(byte) else {
                guard digits > 0, byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") else {
                    throw Malformed(reason: "a bad chunk size")
                }
                break
            }
            guard digits < 15 else { throw Malformed(reason: "a chunk size too large") }
            size = size << 4 | value
            digits += 1
        }
        guard digits > 0 else { throw Malformed(reason: "a chunk without a size") }
        return size
    }
}
