import NIOCore
import Testing

@testable import BurrowRelay

/// `HTTPResponseFramer` is a value, not a channel handler (the router feeds
/// it); its framing table is in HTTPResponseFramerTests.swift (one level up; hence this file's name). These are
/// the header edge cases of RFC 9112 §6.3 that table does not cover.
@Suite("HTTPResponseFramer: length headers and interim answers")
struct HTTPResponseFramerEdgeTests {
    private func framer(_ requests: HTTPResponseFramer.Request...) -> HTTPResponseFramer {
        var framer = HTTPResponseFramer()
        for request in requests { framer.requestSent(request) }
        return framer
    }

    private func feed(_ framer: inout HTTPResponseFramer, _ text: String) -> [HTTPResponseFramer.Verdict] {
        Array(text.utf8).compactMap { framer.consume(ByteBuffer(bytes: [$0])) }
    }

    @Test("Transfer-Encoding: its last coding decides, across lines; chunked wins over Content-Length")
    func transferEncoding() {
        var chunkedLast = framer(.plain)
        _ = feed(&chunkedLast, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        #expect(chunkedLast.isIdle)
        var gzipLast = framer(.plain)
        _ = feed(&gzipLast, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n")
        #expect(!gzipLast.isIdle && !gzipLast.isLost, "a body not chunked last ends only at the close")
    }

    @Test("Content-Length: equal repeats are one length; different, signed or huge ones are lost", arguments: [
        ("Content-Length: 2\r\nContent-Length: 2", false), ("Content-Length: 2\r\nContent-Length: 3", true),
        ("Content-Length: +2", true), ("Content-Length: 99999999999999999999", true), ("Content-Length:", true),
    ])
    func contentLength(header: String, lost: Bool) {
        var framer = framer(.plain)
        _ = feed(&framer, "HTTP/1.1 200 OK\r\n\(header)\r\n\r\nok")
        #expect(framer.isLost == lost)
        #expect(framer.isIdle == !lost)
    }

    @Test("interim answers before a 101 are skipped; a 101 to a plain request loses the framer and declines the upgrade behind it")
    func interimAndStray101() {
        var upgrade = framer(.upgrade)
        #expect(feed(&upgrade, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n\r\n") == [.accepted])
        #expect(upgrade.isRaw)
        var stray = framer(.plain, .upgrade)
        #expect(feed(&stray, "HTTP/1.1 101 Switching Protocols\r\n\r\n") == [.declined])
        #expect(stray.isLost)
    }

    @Test("a chunk size of more hex digits than fit is lost, not wrapped")
    func chunkSizeOverflow() {
        var framer = framer(.plain)
        _ = feed(&framer, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000001\r\n")
        #expect(framer.isLost)
    }
}
