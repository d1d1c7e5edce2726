import NIOCore
import Testing
@testable import BurrowAgent

/// The tap's scanner as a value: the same events whatever the read sizes
/// (every split of the stream into two reads, and byte by byte), bodies
/// skipped by length and chunk framing, and the cases with no body.
@Suite struct HTTPMessageScannerTests {
    typealias Event = HTTPMessageScanner.Event

    static func events(_ direction: HTTPMessageScanner.Direction, _ pieces: [String], methods: [String] = []) -> (events: [Event], state: HTTPMessageScanner.State) {
        var scanner = HTTPMessageScanner(direction: direction)
        for method in methods { scanner.expectResponse(toMethod: method) }
        var events: [Event] = []
        for piece in pieces { scanner.scan(ByteBuffer(string: piece)) { events.append($0) } }
        scanner.connectionClosed { events.append($0) }
        return (events, scanner.state)
    }

    /// Every split in two, and one byte at a time, give the same events as one read.
    static func everySplit(_ direction: HTTPMessageScanner.Direction, _ stream: String, methods: [String] = []) -> [Event] {
        let whole = events(direction, [stream], methods: methods).events
        let bytes = Array(stream.utf8)
        for cut in 0...bytes.count {
            let split = events(direction, [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)], methods: methods).events
            #expect(split == whole, "cut at \(cut)")
        }
        #expect(events(direction, bytes.map { String(decoding: [$0], as: UTF8.self) }, methods: methods).events == whole)
        return whole
    }

    static func head(_ method: String, _ target: String) -> Event {
        .head(.init(method: method, target: target))
    }

    static func status(_ code: Int, burrowError: Bool = false, upgrade: Bool = false) -> Event {
        .head(.init(status: code, burrowError: burrowError, upgrade: upgrade))
    }

    @Test func pipelinedRequestsWithBodies() {
        let stream = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: t\r\n\r\n"
            + "DELETE /d HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(Self.everySplit(.request, stream) == [
            Self.head("GET", "/a"), .end(bodyBytes: 0),
            Self.head("POST", "/b"), .end(bodyBytes: 5),
            Self.head("PUT", "/c"), .end(bodyBytes: 19),
            Self.head("DELETE", "/d"), .end(bodyBytes: 0),
        ])
    }

    @Test func responsesWithoutBodiesAndUntilClose() {
        let stream = "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
            + "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"  // to HEAD: no body
            + "HTTP/1.1 204 No Content\r\n\r\n"
            + "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"
            + "HTTP/1.1 502 Bad Gateway\r\nX-Burrow-Error: local service down\r\nContent-Length: 2\r\n\r\nno"
            + "HTTP/1.0 200 OK\r\n\r\nuntil the end"
        #expect(Self.everySplit(.response, stream, methods: ["GET", "HEAD", "GET", "GET", "GET", "GET"]) == [
            Self.status(200), .end(bodyBytes: 3),
            Self.status(200), .end(bodyBytes: 0),
            Self.status(204), .end(bodyBytes: 0),
            Self.status(304), .end(bodyBytes: 0),
            Self.status(502, burrowError: true), .end(bodyBytes: 2),
            Self.status(200), .end(bodyBytes: 13),
        ])
    }

    @Test func anUpgradeEndsTheScan() {
        let result = Self.events(.response, ["HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u{81}\u{02}hi"], methods: ["GET"])
        #expect(result.events == [Self.status(101, upgrade: true), .end(bodyBytes: 0)])
        #expect(result.state == .lost)
    }

    @Test func unreadableFramingIsLostNotGuessed() {
        #expect(Self.events(.request, ["GET / HTTP/1.1\r\nbroken header line\r\n\r\n"]).state == .lost)
        #expect(Self.events(.request, ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]).state == .lost)
        #expect(Self.events(.request, ["POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"]).state == .lost)
        #expect(Self.events(.request, [String(repeating: "a", count: HTTPMessageScanner.maxHeadBytes + 1)]).state == .lost)
    }

    /// A large body is skipped by arithmetic: the scanner holds no part of it.
    @Test func aLargeBodyIsSkippedNotHeld() {
        var scanner = HTTPMessageScanner(direction: .request)
        var events: [Event] = []
        scanner.scan(ByteBuffer(string: "POST /up HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n")) { events.append($0) }
        let megabyte = ByteBuffer(repeating: 0x61, count: 1_000_000)
        for _ in 0..<10 { scanner.scan(megabyte) { events.append($0) } }
        #expect(events == [Self.head("POST", "/up"), .end(bodyBytes: 10_000_000)])
        #expect(scanner.state == .head)
    }
}
