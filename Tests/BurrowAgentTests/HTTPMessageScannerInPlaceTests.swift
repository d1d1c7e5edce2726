import NIOCore
import Testing
@testable import BurrowAgent

/// The scanner reads a head where it lies in the read (copying it only when
/// it spans reads or the inspector keeps it): the same events whatever the
/// line ends and wherever the reads split them.
@Suite struct HTTPMessageScannerInPlaceTests {
    typealias Event = HTTPMessageScanner.Event

    private static func scan(_ direction: HTTPMessageScanner.Direction, captures: Bool = false, _ pieces: [String])
        -> (events: [Event], state: HTTPMessageScanner.State) {
        var scanner = HTTPMessageScanner(direction: direction, captures: captures)
        var events: [Event] = []
        for piece in pieces { scanner.scan(ByteBuffer(string: piece)) { events.append($0) } }
        return (events, scanner.state)
    }

    /// Every way of cutting `stream` in two.
    private static func everySplit(_ stream: String) -> [[String]] {
        let bytes = Array(stream.utf8)
        return (0...bytes.count).map { cut in
            [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
        }
    }

    @Test func theSameEventsWhereverTheReadsSplitAHead() {
        let stream = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\nHost: y\n\nGET /c HTTP/1.0\r\n\r\n"
        let expected: [Event] = [
            .head(.init(method: "POST", target: "/a")), .end(bodyBytes: 3),
            .head(.init(method: "GET", target: "/b")), .end(bodyBytes: 0),
            .head(.init(method: "GET", target: "/c")), .end(bodyBytes: 0),
        ]
        for pieces in Self.everySplit(stream) {
            let result = Self.scan(.request, pieces)
            #expect(result.events == expected, "split at \(pieces[0].utf8.count)")
            #expect(result.state == .head)
        }
        let raws = Self.scan(.request, captures: true, [String(stream.prefix(20)), String(stream.dropFirst(20))]).events.compactMap {
            event -> String? in
            if case .head(let head) = event { return String(decoding: head.raw, as: UTF8.self) }
            return nil
        }
        #expect(raws == ["POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n", "GET /b HTTP/1.1\nHost: y\n\n", "GET /c HTTP/1.0\r\n\r\n"])
    }

    @Test func oddLineEndsAreJudgedAsBefore() {
        // A bare LF line, then CR LF CR LF: the empty lines at the end are the head's end.
        #expect(Self.scan(.request, ["GET /a HTTP/1.1\n\r\n\r\n"]).events == [.head(.init(method: "GET", target: "/a")), .end(bodyBytes: 0)])
        // An empty line inside a head (before a field) is not a field: the scanner gives up.
        #expect(Self.scan(.request, ["GET /a HTTP/1.1\n\r\nHost: x\r\n\r\n"]).state == .lost)
        // A lone CR before the end is not an empty line.
        #expect(Self.scan(.request, ["GET /a HTTP/1.1\n\r\n\r\r\n\r\n"]).state == .lost)
        // A field without a colon, and a start line that is not one.
        #expect(Self.scan(.request, ["GET /a HTTP/1.1\r\nHost x\r\n\r\n"]).state == .lost)
        #expect(Self.scan(.request, ["\r\n\r\n"]).state == .lost)
        #expect(Self.scan(.response, ["HTTP/1.1\r\n\r\n"]).state == .lost)
        // Spaces in a reason and several spaces between parts.
        #expect(Self.scan(.response, captures: true, ["HTTP/1.1  404 Not  Found\r\nContent-Length: 0\r\n\r\n"]).events.first
            == .head(.init(status: 404, version: "HTTP/1.1", reason: "Not  Found", raw: Array("HTTP/1.1  404 Not  Found\r\nContent-Length: 0\r\n\r\n".utf8),
                           contentLength: 0)))
    }

    @Test func framingValuesAreJudgedByTheirBytesAsTheyWereAsStrings() {
        func request(_ field: String, _ body: String = "") -> [Event] {
            Self.scan(.request, ["POST / HTTP/1.1\r\n\(field)\r\n\r\n\(body)"]).events
        }
        let post = Event.head(.init(method: "POST", target: "/"))
        #expect(request("Transfer-Encoding: gzip, CHUNKED", "1\r\nx\r\n0\r\n\r\n") == [post, .end(bodyBytes: 1)])
        #expect(request("Transfer-Encoding: \tchunked,,", "1\r\nx\r\n0\r\n\r\n") == [post, .end(bodyBytes: 1)])
        // Not chunked at the end: a request without a length has no body.
        #expect(request("Transfer-Encoding: chunked, gzip") == [post, .end(bodyBytes: 0)])
        // Trailing spaces and empty items do not count: chunked.
        #expect(request("Transfer-Encoding: chunked, ", "2\r\nxy\r\n0\r\n\r\n") == [post, .end(bodyBytes: 2)])
        #expect(request("Content-Length: \t 3 ", "abc") == [post, .end(bodyBytes: 3)])
        #expect(Self.scan(.request, ["POST / HTTP/1.1\r\nContent-Length: 3x\r\n\r\n"]).state == .lost)
        #expect(Self.scan(.request, ["POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"]).state == .lost)
        func upgrade(_ field: String) -> Bool {
            guard case .head(let head) = Self.scan(.request, ["GET / HTTP/1.1\r\n\(field)\r\n\r\n"]).events.first else { return false }
            return head.upgrade
        }
        #expect(upgrade("Connection: keep-alive, UpGrade"))
        #expect(upgrade("connection: x-upgraded"))
        #expect(upgrade("Connection: \u{00FC}berUPGRADE"))
        #expect(!upgrade("Connection: keep-alive"))
        #expect(!upgrade("Connection: upgrad"))
        #expect(!upgrade("X-Connection: upgrade"))
    }

    @Test func aHeadOverTheLimitAcrossReadsIsLostAndItsBytesLetGo() {
        let line = "X: " + String(repeating: "a", count: 1_000) + "\r\n"
        var pieces = ["GET / HTTP/1.1\r\n"]
        pieces += Array(repeating: line, count: HTTPMessageScanner.maxHeadBytes / line.utf8.count + 1)
        pieces.append("\r\n")
        let result = Self.scan(.request, pieces)
        #expect(result.events.isEmpty)
        #expect(result.state == .lost)
    }
}
