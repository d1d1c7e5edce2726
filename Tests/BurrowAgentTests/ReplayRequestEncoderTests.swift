import BurrowCore
import NIOCore
import Testing

@testable import BurrowAgent

/// What a replay puts on the wire: the fields as recorded, framing recomputed,
/// nothing that could split a line.
@Suite struct ReplayRequestEncoderTests {
    @Test func framingIsRecomputedFromTheBody() throws {
        let request = HTTPReplayRequest(method: "POST", target: "/a?b=c", headers: [
            HTTPHeaderField(name: "Host", value: "web.example"), HTTPHeaderField(name: "Transfer-Encoding", value: "chunked"),
            HTTPHeaderField(name: "X-One", value: "1"), HTTPHeaderField(name: "Content-Length", value: "999"),
            HTTPHeaderField(name: "Connection", value: "keep-alive"), HTTPHeaderField(name: "X-One", value: "2"),
        ], body: Array("hello".utf8))
        let bytes = try ReplayRequestEncoder.encode(request, defaultHost: "127.0.0.1:1")
        #expect(String(buffer: bytes) == "POST /a?b=c HTTP/1.1\r\nHost: web.example\r\nX-One: 1\r\nX-One: 2\r\n"
            + "Content-Length: 5\r\nConnection: close\r\n\r\nhello")
    }

    @Test func aGETWithoutBodyOrHostGetsTheLocalHostAndNoLength() throws {
        let bytes = try ReplayRequestEncoder.encode(HTTPReplayRequest(method: "GET", target: "/", headers: [], body: []),
                                                    defaultHost: "127.0.0.1:3000")
        #expect(String(buffer: bytes) == "GET / HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nConnection: close\r\n\r\n")
        let post = try ReplayRequestEncoder.encode(HTTPReplayRequest(method: "POST", target: "/", headers: [], body: []),
                                                   defaultHost: "h")
        #expect(String(buffer: post).contains("Content-Length: 0\r\n"))
    }

    @Test(arguments: [
        HTTPReplayRequest(method: "GET /x", target: "/", headers: [], body: []),
        HTTPReplayRequest(method: "GET", target: "/ HTTP/1.1\r\nX: y", headers: [], body: []),
        HTTPReplayRequest(method: "GET", target: "", headers: [], body: []),
        HTTPReplayRequest(method: "GET", target: "/", headers: [HTTPHeaderField(name: "Bad Name", value: "v")], body: []),
        HTTPReplayRequest(method: "GET", target: "/", headers: [HTTPHeaderField(name: "X", value: "a\r\nGET /evil HTTP/1.1")], body: []),
        HTTPReplayRequest(method: "GET", target: "/", headers: [HTTPHeaderField(name: "X", value: "a\nb")], body: []),
    ])
    func anythingThatCouldSplitALineIsRefused(_ request: HTTPReplayRequest) {
        #expect(throws: InspectorError.self) { try ReplayRequestEncoder.encode(request, defaultHost: "h") }
    }
}
