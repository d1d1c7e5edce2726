import NIOCore
import Testing

@testable import BurrowRelay

/// The response framer as a value: bytes in (split anywhere), verdicts and
/// idleness out.
@Suite("HTTP response framer")
struct HTTPResponseFramerTests {
    /// Feeds `text` in pieces of `step` bytes; returns the verdicts seen.
    static func feed(_ framer: inout HTTPResponseFramer, _ text: String, step: Int) -> [HTTPResponseFramer.Verdict] {
        let bytes = Array(text.utf8)
        var verdicts: [HTTPResponseFramer.Verdict] = []
        var index = 0
        while index < bytes.count {
            let end = min(index + step, bytes.count)
            if let verdict = framer.consume(ByteBuffer(bytes: bytes[index..<end])) { verdicts.append(verdict) }
            index = end
        }
        return verdicts
    }

    @Test("Content-Length, chunked with extensions and trailers, HEAD, 204, 304 and 1xx, split at every size", arguments: [1, 2, 3, 7, 64, 4096])
    func framing(step: Int) {
        var framer = HTTPResponseFramer()
        for request in [HTTPResponseFramer.Request.plain, .plain, .head, .plain, .plain, .plain] { framer.requestSent(request) }
        #expect(!framer.isIdle)
        let responses = [
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",  // HEAD: no body
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
            "HTTP/1.0 200 OK\nContent-Length: 2\n\nok",  // bare LF from a sloppy service
        ]
        for (index, response) in responses.enumerated() {
            #expect(Self.feed(&framer, response, step: step).isEmpty)
            #expect(framer.isIdle == (index == responses.count - 1), "after response \(index)")
        }
        #expect(!framer.isLost && !framer.isRaw)
    }

    @Test("101 accepts an Upgrade, 2xx a CONNECT; anything else declines and framing goes on", arguments: [1, 5, 4096])
    func verdicts(step: Int) {
        var accepted = HTTPResponseFramer()
        accepted.requestSent(.plain)
        accepted.requestSent(.upgrade)
        let twoResponses = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHTTP/1.1 101 \r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nraw bytes"
        #expect(Self.feed(&accepted, twoResponses, step: step) == [.accepted])
        #expect(accepted.isRaw)

        var connect = HTTPResponseFramer()
        connect.requestSent(.connect)
        #expect(Self.feed(&connect, "HTTP/1.1 200 Connection established\r\n\r\n\u{16}\u{3}\u{1}", step: step) == [.accepted])

        var declined = HTTPResponseFramer()
        declined.requestSent(.upgrade)
        #expect(Self.feed(&declined, "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 3\r\n\r\nno!", step: step) == [.declined])
        #expect(declined.isIdle && !declined.isRaw)

        var refusedConnect = HTTPResponseFramer()
        refusedConnect.requestSent(.connect)
        #expect(Self.feed(&refusedConnect, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n", step: step) == [.declined])
        #expect(refusedConnect.isIdle)
    }

    @Test("what it cannot follow makes it lost, and a waiting upgrade declined")
    func lost() {
        for garbage in ["SSH-2.0-x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] {
            var framer = HTTPResponseFramer()
            framer.requestSent(.upgrade)
            let verdicts = Self.feed(&framer, garbage, step: 4096)
            #expect(framer.isLost, "\(garbage.debugDescription)")
            #expect(verdicts == [.declined], "\(garbage.debugDescription)")
            #expect(!framer.isIdle)
        }
        // A response nobody asked for.
        var unasked = HTTPResponseFramer()
        #expect(Self.feed(&unasked, "HTTP/1.1 408 Request Timeout\r\n\r\n", step: 4096).isEmpty)
        #expect(unasked.isLost)
        // A body without a length ends only at the close: never idle.
        var untilClose = HTTPResponseFramer()
        untilClose.requestSent(.plain)
        _ = Self.feed(&untilClose, "HTTP/1.1 200 OK\r\n\r\nstreaming…", step: 4096)
        #expect(!untilClose.isIdle && !untilClose.isLost)
    }
}
