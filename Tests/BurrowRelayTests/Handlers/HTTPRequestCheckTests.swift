import NIOHTTP1
import Testing

@testable import BurrowRelay

/// `HTTPRequestCheck`, which every request head of a connection passes (it
/// reads the headers in one pass and the Host value as bytes): what it lets
/// through and what it answers 400, header names in any case.
@Suite("HTTPRequestCheck: Host and body-length rules")
struct HTTPRequestCheckTests {
    private func problem(_ headers: [(String, String)]) -> String? {
        HTTPRequestCheck.problem(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/", headers: HTTPHeaders(headers)))
    }

    @Test("Host values: names, ports, bracketed IPv6; nothing else", arguments: [
        ("demo.example.com", true), ("demo.example.com:8080", true), ("127.0.0.1:80", true), ("[::1]:80", true),
        ("[::1]", true), ("[::1]:", true), ("a_b-c.d", true), ("name:", true), ("DEMO.Example.COM", true),
        ("", false), (":80", false), ("demo:80:80", false), ("demo:123456", false), ("demo:8o", false),
        ("alice:80@bob", false), ("demo/path", false), ("demo name", false), ("demo\u{0}", false),
        ("[]:80", false), ("[::1", false), ("[::1]80", false), ("[::g]", false), ("démo.example.com", false),
        ("demo:\u{301}", false), ("[\u{301}::1]", false),
    ])
    func hostNames(value: String, valid: Bool) {
        #expect(HTTPRequestCheck.isHostName(value) == valid)
    }

    @Test("one Host, any case of the name; two are refused")
    func hostCount() {
        #expect(problem([("HOST", "a.example.com")]) == nil)
        #expect(problem([("Host", "a.example.com"), ("host", "a.example.com")]) == "The request has more than one Host header.")
        #expect(problem([("hOsT", "a b")]) == "The Host header must be a host name with an optional port.")
        #expect(problem([("X-Host", "a b"), ("Hosts", "a b")]) == nil)
    }

    @Test("body length: one chunked, or one decimal Content-Length (equal repeats allowed)", arguments: [
        ([("Transfer-Encoding", "chunked")], true), ([("TRANSFER-ENCODING", "Chunked")], true),
        ([("Transfer-Encoding", "gzip, chunked")], false), ([("Transfer-Encoding", "chunked"), ("transfer-encoding", "chunked")], false),
        ([("Transfer-Encoding", "chunked"), ("Content-Length", "3")], false),
        ([("Content-Length", "3")], true), ([("content-length", "3, 3")], false), ([("Content-Length", "3,3")], true),
        ([("Content-Length", "3"), ("CONTENT-LENGTH", "3")], true), ([("Content-Length", "3"), ("Content-Length", "4")], false),
        ([("Content-Length", "+3")], false), ([("Content-Length", "")], false), ([("Content-Length", "1234567890123456789")], false),
    ])
    func bodyLength(headers: [(String, String)], valid: Bool) {
        #expect((problem([("Host", "a.example.com")] + headers) == nil) == valid)
    }
}
