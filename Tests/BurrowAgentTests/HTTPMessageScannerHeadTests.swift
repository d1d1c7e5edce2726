import NIOCore
import Testing
@testable import BurrowAgent

/// The scanner reads heads a line at a time into one reused buffer and picks
/// out only the framing fields, by bytes: the same events as ever, the
/// same limits, nothing carried over from one head to the next.
@Suite struct HTTPMessageScannerHeadTests {
    typealias Event = HTTPMessageScanner.Event

    private static func scan(_ direction: HTTPMessageScanner.Direction, captures: Bool = false, _ pieces: [String],
                             methods: [String] = []) -> (events: [Event], state: HTTPMessageScanner.State) {
        var scanner = HTTPMessageScanner(direction: direction, captures: captures)
        for method in methods { scanner.expectResponse(toMethod: method) }
        var events: [Event] = []
        for piece in pieces { scanner.scan(ByteBuffer(string: piece)) { events.append($0) } }
        return (events, scanner.state)
    }

    @Test func framingFieldsAreFoundInAnyCaseAndOthersIgnored() {
        let stream = "POST /a HTTP/1.1\r\nHOST: x\r\nCONTENT-length: 3\r\nX-Content-Length: 99\r\nContent-Lengths: 7\r\n\r\nabc"
            + "POST /b HTTP/1.1\r\nTransfer-ENCODING: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
            + "GET /c HTTP/1.1\r\n\r\n"
        let result = Self.scan(.request, [stream])
        #expect(result.events == [
            .head(.init(method: "POST", target: "/a")), .end(bodyBytes: 3),
            .head(.init(method: "POST", target: "/b")), .end(bodyBytes: 2),
            .head(.init(method: "GET", target: "/c")), .end(bodyBytes: 0),
        ])
        #expect(result.state == .head)
    }

    @Test func anAgentPageAndAnUpgradeAreSeenInAnyCase() {
        let result = Self.scan(.response, ["HTTP/1.1 502 Bad Gateway\r\nx-BURROW-error: 1\r\ncontent-length: 0\r\n\r\n",
                                           "HTTP/1.1 101 Switching\r\nCONNECTION: Upgrade\r\n\r\n"], methods: ["GET", "GET"])
        #expect(result.events == [
            .head(.init(status: 502, burrowError: true)), .end(bodyBytes: 0),
            .head(.init(status: 101, upgrade: true)), .end(bodyBytes: 0),
        ])
        #expect(result.state == .lost)
    }

    @Test func aHeadOverTheLimitIsLostWithOrWithoutLineEnds() {
        let long = String(repeating: "a", count: HTTPMessageScanner.maxHeadBytes)
        #expect(Self.scan(.request, ["GET /\(long)"]).state == .lost)
        #expect(Self.scan(.request, ["GET / HTTP/1.1\r\n", "X: \(long)\r\n\r\n"]).state == .lost)
        let fits = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: HTTPMessageScanner.maxHeadBytes - 23) + "\r\n\r\n"
        #expect(fits.utf8.count == HTTPMessageScanner.maxHeadBytes)
        #expect(Self.scan(.request, [fits]).events == [.head(.init(method: "GET", target: "/")), .end(bodyBytes: 0)])
    }

    @Test func capturedHeadsAreWholeAndSeparate() {
        let first = "GET /first HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n"
        let second = "GET /2 HTTP/1.1\r\nHost: b\r\n\r\n"
        // The first head arrives in three reads, the second in the same read as the first's end.
        let result = Self.scan(.request, captures: true, [String(first.prefix(10)), String(first.dropFirst(10).prefix(20)),
                                                          String(first.dropFirst(30)) + second])
        let raws = result.events.compactMap { event -> String? in
            if case .head(let head) = event { return String(decoding: head.raw, as: UTF8.self) }
            return nil
        }
        #expect(raws == [first, second])
        let plain = Self.scan(.request, [first, second]).events
        #expect(plain == [.head(.init(method: "GET", target: "/first")), .end(bodyBytes: 0),
                          .head(.init(method: "GET", target: "/2")), .end(bodyBytes: 0)])
    }
}
