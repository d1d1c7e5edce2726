import BurrowCore
import BurrowTUI
import Testing

/// Bodies by content type, the JSON pretty-printer and header masking: pure functions.
@Suite struct BodyTextTests {
    @Test func jsonIsReindentedEvenWhenCut() {
        #expect(JSONPretty.format(#"{"a":[1,2,{}],"b":{"c":"x, {y}: \"z\""},"d":[]}"#) == """
            {
              "a": [
                1,
                2,
                {}
              ],
              "b": {
                "c": "x, {y}: \\"z\\""
              },
              "d": []
            }
            """)
        // Cut at the capture limit: still readable, no crash.
        #expect(JSONPretty.format(#"{"a": [1, "tw"#) == "{\n  \"a\": [\n    1,\n    \"tw")
        #expect(JSONPretty.format("  ") == "")
    }

    @Test func bodiesAreShownByContentType() {
        let json = BodyText.lines(Array(#"{"a":1}"#.utf8), totalBytes: 7, mediaType: "application/problem+json", encoding: nil, width: 100)
        #expect(json == ["(application/problem+json · 7 bytes)", "{", "  \"a\": 1", "}"])
        let html = BodyText.lines(Array("<h1>502</h1>".utf8), totalBytes: 12, mediaType: "application/json", encoding: nil, width: 100)
        #expect(html == ["(application/json · 12 bytes)", "<h1>502</h1>"])
        let text = BodyText.lines(Array("a\tb\r\nc\u{1}".utf8), totalBytes: 7, mediaType: "text/plain", encoding: nil, width: 100)
        #expect(text == ["(text/plain · 7 bytes)", "a    b", "c·"])
        // Not UTF-8 whatever the type says; gzip; no type but bytes: hex.
        let png = BodyText.lines([0x89, 0x50, 0x4e, 0x47], totalBytes: 4, mediaType: "text/plain", encoding: nil, width: 100)
        #expect(png == ["(text/plain · 4 bytes)", "00000000  89 50 4e 47                                       |.PNG|"])
        let gzip = BodyText.lines(Array("hi".utf8), totalBytes: 2, mediaType: "text/plain", encoding: "gzip", width: 100)
        #expect(gzip.first == "(text/plain · 2 bytes · gzip-encoded: shown as bytes)")
        #expect(BodyText.lines([], totalBytes: 0, mediaType: nil, encoding: nil, width: 100) == ["(no body)"])
        // Narrow columns get 8 bytes a line.
        #expect(BodyText.hexDump(Array(0..<10), bytesPerLine: 8) == ["00000000  00 01 02 03 04 05 06 07  |........|",
                                                                     "00000008  08 09                    |..|"])
    }

    @Test func aCutBodySaysHowMuchWasKept() {
        let cut = Array("é".utf8).prefix(1)   // a character cut in half by the capture
        let lines = BodyText.lines(Array("abc".utf8) + cut, totalBytes: 5000, mediaType: "text/plain", encoding: nil, width: 100)
        #expect(lines == ["(text/plain · first 4 B of 5000 bytes)", "abc"])
        let big = BodyText.lines(Array(repeating: 0x61, count: 65536), totalBytes: 70000, mediaType: nil, encoding: nil, width: 100)
        #expect(big.first == "(first 64 KiB of 70000 bytes)")
    }

    @Test func credentialsAndCookiesAreMasked() {
        #expect(HeaderMask.mask(name: "authorization", value: "Bearer abc.def") == "Bearer ••••••")
        #expect(HeaderMask.mask(name: "Proxy-Authorization", value: "Basic dXNlcjpwYXNz") == "Basic ••••••")
        #expect(HeaderMask.mask(name: "Authorization", value: "rawtoken") == "••••••")
        #expect(HeaderMask.mask(name: "Cookie", value: "a=1; b=2;c") == "a=••••••; b=••••••;••••••")
        #expect(HeaderMask.mask(name: "Set-Cookie", value: "id=x; Max-Age=60; Secure") == "id=••••••; Max-Age=60; Secure")
        #expect(HeaderMask.mask(name: "X-Other", value: "visible") == "visible")
    }
}
