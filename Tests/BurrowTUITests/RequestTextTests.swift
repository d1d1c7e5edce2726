import BurrowCore
import BurrowTUI
import Testing

/// The text `R` opens in `$EDITOR` and reads back: pure functions.
@Suite struct RequestTextTests {
    @Test func theTextIsAnHTTPMessageWithoutFramingHeaders() {
        let text = RequestText.format(InspectorFixtures.login)
        #expect(text == """
            POST /api/login HTTP/1.1
            Host: web.localhost:8080
            Authorization: Bearer \(InspectorFixtures.token)
            Cookie: sid=abc123; theme=dark
            Content-Type: application/json; charset=utf-8

            {"user":"ann","roles":["admin","dev"],"prefs":{},"n":1.5}

            """)
    }

    @Test func itRoundTrips() throws {
        let login = InspectorFixtures.login
        let parsed = try RequestText.parse(RequestText.format(login))
        #expect(parsed == HTTPReplayRequest(method: "POST", target: "/api/login",
                                            headers: login.requestHeaders.filter { $0.name != "Content-Length" }, body: login.requestBody))
        // No body; a body ending in a newline keeps it; CRLF line ends read the same.
        let page = try RequestText.parse(RequestText.format(InspectorFixtures.page))
        #expect(page == HTTPReplayRequest(method: "GET", target: "/index.html", headers: InspectorFixtures.page.requestHeaders, body: []))
        var lines = InspectorFixtures.page
        lines.method = "PUT"
        lines.requestBody = Array("a\nb\n".utf8)
        #expect(try RequestText.parse(RequestText.format(lines)).body == Array("a\nb\n".utf8))
        let crlf = try RequestText.parse("PATCH /x?y=1 HTTP/1.1\r\nX-A:  one \r\n\r\nbody")
        #expect(crlf == HTTPReplayRequest(method: "PATCH", target: "/x?y=1", headers: [HTTPHeaderField(name: "X-A", value: "one")], body: Array("body".utf8)))
        // The version may be left out; blank lines before the request line are forgiven.
        #expect(try RequestText.parse("\n\nDELETE /item/4\n").method == "DELETE")
    }

    @Test func malformedTextSaysWhereAndWhy() {
        func error(_ text: String) -> String {
            do {
                _ = try RequestText.parse(text)
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(error("") == "line 1: the request is empty; nothing was sent")
        #expect(error("GET\n").hasPrefix("line 1: 'GET' is not a request line: write METHOD TARGET HTTP/1.1"))
        #expect(error("GET  /x HTTP/1.1\n").hasPrefix("line 1: 'GET  /x HTTP/1.1' is not a request line"))
        #expect(error("G(T /x HTTP/1.1\n").hasPrefix("line 1: 'G(T' is not a method"))
        #expect(error("GET x HTTP/1.1\n").hasPrefix("line 1: the target 'x' must start with /"))
        #expect(error("GET /x HTTP/2\n").hasPrefix("line 1: 'HTTP/2' is not an HTTP version"))
        #expect(error("GET /x HTTP/1.1\nHost: a\nno colon here\n\n").hasPrefix("line 3: 'no colon here' is not a header: write Name: value"))
        #expect(error("GET /x HTTP/1.1\nBad Name: a\n").hasPrefix("line 2: 'Bad Name' is not a header name"))
        #expect(error("GET /x HTTP/1.1\nA: b\n  folded\n").hasPrefix("line 3: a header cannot continue on an indented line"))
        #expect(error("\nGET /x HTTP/1.1\n: empty\n").hasPrefix("line 3: '' is not a header name"))
    }

    @Test func binaryOrCutBodiesCannotBeEdited() {
        var exchange = InspectorFixtures.page
        #expect(RequestText.cannotEdit(exchange) == nil)
        exchange.requestBody = [0xff, 0xfe, 0x00]
        exchange.requestBodyBytes = 3
        #expect(RequestText.cannotEdit(exchange)?.contains("binary (3 bytes)") == true)
    }
}
