import NIOCore
import Testing

@testable import BurrowRelay

/// `HTTPResponseFramer` reads a response head that arrived whole in one
/// buffer where it lies (no copy, no lines or strings built); a head split
/// over reads is gathered first. Both ways must frame alike: each case here
/// goes in as one buffer and as one-byte reads, and the states must agree
/// with what RFC 9112 §6.3 says.
@Suite("HTTPResponseFramer: a whole head in one buffer frames like a split one")
struct HTTPResponseFramerWholeHeadTests {
    struct Outcome: Equatable {
        var verdicts: [HTTPResponseFramer.Verdict]
        var idle: Bool
        var lost: Bool
    }

    private func run(_ request: HTTPResponseFramer.Request, _ text: String, split: Bool) -> Outcome {
        var framer = HTTPResponseFramer()
        framer.requestSent(request)
        let bytes = Array(text.utf8)
        let verdicts = split
            ? bytes.compactMap { framer.consume(ByteBuffer(bytes: [$0])) }
            : [framer.consume(ByteBuffer(bytes: bytes))].compactMap { $0 }
        return Outcome(verdicts: verdicts, idle: framer.isIdle, lost: framer.isLost)
    }

    @Test("length headers, codings lists, case, whitespace and bare LF", arguments: [
        // (response, idle afterwards, lost)
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true, false),
        ("HTTP/1.1 200 OK\r\ncontent-LENGTH:\t 2 \t\r\n\r\nok", true, false),
        ("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", true, false),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", true, false),
        ("HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: gzip,chunked,\r\n\r\n0\r\n\r\n", true, false),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, \r\n\r\n0\r\n\r\n", true, false),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", false, false),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n", false, false),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", false, true),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true, false),
        ("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", true, false),
        ("HTTP/1.1 2x0 OK\r\n\r\n", false, true),
        ("HTTP/2.0 200 OK\r\n\r\n", false, true),
        ("HTTP/1.1 200\r\n\r\n", false, false),
        ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", true, false),
        ("HTTP/1.1 200 OK\r\nX-No-Colon\r\nContent-Length: 1\r\n\r\nx", true, false),
    ])
    func framesAlike(response: String, idle: Bool, lost: Bool) {
        let whole = run(.plain, response, split: false)
        let split = run(.plain, response, split: true)
        #expect(whole == split)
        #expect(whole.idle == idle)
        #expect(whole.lost == lost)
    }

    @Test("two pipelined responses in one buffer are both framed")
    func pipelined() {
        var framer = HTTPResponseFramer()
        framer.requestSent(.plain)
        framer.requestSent(.head)
        _ = framer.consume(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"))
        #expect(framer.isIdle)
    }

    @Test("an upgrade's 101 and a CONNECT's 200 arrive whole: accepted", arguments: [
        (HTTPResponseFramer.Request.upgrade, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
        (HTTPResponseFramer.Request.connect, "HTTP/1.1 200 Connection Established\r\n\r\n"),
    ])
    func upgradeAccepted(request: HTTPResponseFramer.Request, response: String) {
        #expect(run(request, response, split: false).verdicts == [.accepted])
        #expect(run(request, response, split: true).verdicts == [.accepted])
    }

    @Test("a head over the maximum in one buffer is lost, as when it comes in pieces")
    func oversizedHead() {
        let filler = String(repeating: "a", count: HTTPResponseFramer.maximumHead)
        let response = "HTTP/1.1 200 OK\r\nX-Filler: \(filler)\r\n\r\n"
        #expect(run(.plain, response, split: false).lost)
        #expect(run(.plain, response, split: true).lost)
    }
}
