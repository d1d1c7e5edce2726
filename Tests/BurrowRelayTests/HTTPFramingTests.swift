import BurrowTestSupport
import BurrowConfig
import BurrowRelay
import Foundation
import Testing

/// HTTP framing the relay must not pass on (issue 12 items 4, 4b, 5, 2): a
/// real relay, a stock `ssh -R` to a python3 HTTP/1.1 service that reports
/// every request it receives, raw visitors sending the hostile bytes.
@Suite("HTTP framing on the visitor path", .spawnsProcesses, .timeLimit(.minutes(10)))
struct HTTPFramingTests {
    /// A relay with one HTTP forward `web`; `body` gets (the kit, HTTP port, the service).
    static func withService(
        limits: (inout RelayLimits) -> Void = { _ in },
        _ body: (RelayTestKit, Int, TestProcess) async throws -> Void
    ) async throws {
        try await RelayTest.run(configure: { limits(&$0.limits) }) { test in
            let (service, local) = try await VisitorPathScripts.startService(test.kit)
            _ = try test.ssh(["web:80:127.0.0.1:\(local)"])
            _ = try await test.kit.waitUntilServed(test.url("web", "/ready"))
            try await body(test.kit, test.relay.httpPort, service)
        }
    }

    static func post(_ path: String, _ headers: [String]) -> String {
        (["POST \(path) HTTP/1.1", "Host: web.localhost"] + headers).joined(separator: "\r\n") + "\r\n\r\n"
    }

    @Test("an ambiguous body length is refused with 400 before a byte reaches the service")
    func ambiguousBodyLength() async throws {
        try await Self.withService { kit, port, service in
            let body = "5\r\nhello\r\n0\r\n\r\n"
            let cases = [
                Self.post("/xchunked", ["Transfer-Encoding: xchunked"]) + body,
                Self.post("/tab", ["Transfer-Encoding: chunked\t"]) + body,
                Self.post("/quoted", ["Transfer-Encoding: \"chunked\""]) + body,
                Self.post("/gzip", ["Transfer-Encoding: gzip, chunked"]) + body,
                Self.post("/twice", ["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"]) + body,
                Self.post("/both", ["Transfer-Encoding: chunked", "Content-Length: 5"]) + body,
                Self.post("/lengths", ["Content-Length: 5", "Content-Length: 6"]) + "hello!",
                Self.post("/signed", ["Content-Length: +5"]) + "hello",
            ]
            for request in cases {
                let reply = try await VisitorPathScripts.send(kit, port: port, request)
                #expect(reply.codes == ["400"] && reply.closed, "\(request.prefix(60)): \(reply)")
            }
            try await Task.sleep(for: .milliseconds(300))
            for path in ["/xchunked", "/tab", "/quoted", "/gzip", "/twice", "/both", "/lengths", "/signed"] {
                #expect(!service.stdout.contains("SEEN POST \(path) "), "the service got \(path)")
            }
        }
    }

    @Test("bad chunk sizes after a forwarded head get 400 and a close, not a hang")
    func badChunkSizes() async throws {
        try await Self.withService { kit, port, _ in
            let head = Self.post("/chunks", ["Transfer-Encoding: chunked"])
            for chunks in ["5\nhello\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFFFF5\r\nhello\r\n0\r\n\r\n"] {
                let reply = try await VisitorPathScripts.send(kit, port: port, head + "<PAUSE>" + chunks)
                #expect(reply.codes == ["400"] && reply.closed && reply.seconds < 4, "\(chunks.debugDescription): \(reply)")
            }
            // A 1 MB chunk extension: refused, not skipped.
            let extensionBytes = "5;" + String(repeating: "a", count: 1 << 20) + "\r\nhello\r\n0\r\n\r\n"
            let reply = try await VisitorPathScripts.send(kit, port: port, head + "<PAUSE>" + extensionBytes)
            #expect(reply.codes == ["400"] && reply.closed, "1 MB chunk extension: \(reply)")
        }
    }

    @Test("duplicate Host and Host with user info get 400")
    func hostHeaders() async throws {
        try await Self.withService { kit, port, service in
            for request in [
                "GET /dup HTTP/1.1\r\nHost: web.localhost\r\nHost: other.localhost\r\n\r\n",
                "GET /userinfo HTTP/1.1\r\nHost: web.localhost:80@evil.localhost\r\n\r\n",
                "GET /userinfo2 HTTP/1.1\r\nHost: alice:80@web.localhost\r\n\r\n",
            ] {
                let reply = try await VisitorPathScripts.send(kit, port: port, request)
                #expect(reply.codes == ["400"] && reply.closed, "\(request.prefix(60)): \(reply)")
            }
            #expect(!service.stdout.contains("SEEN GET /dup") && !service.stdout.contains("SEEN GET /userinfo"))
        }
    }

    @Test("later requests on a kept-alive connection: unreadable → 400, another host → 421, slow or large heads bounded")
    func laterRequests() async throws {
        try await Self.withService(limits: { $0.httpHeadTimeoutSeconds = 1 }) { kit, port, service in
            let first = "GET /first HTTP/1.1\r\nHost: web.localhost\r\n\r\n<PAUSE>"
            let garbage = try await VisitorPathScripts.send(kit, port: port, first + "\u{1}\u{2} BAD\r\n\r\n")
            #expect(garbage.codes == ["200", "400"] && garbage.closed, "unreadable second request: \(garbage)")

            let other = try await VisitorPathScripts.send(kit, port: port, first + "GET /other HTTP/1.1\r\nHost: other.localhost\r\n\r\n")
            #expect(other.codes == ["200", "421"] && other.closed, "another host: \(other)")
            #expect(!service.stdout.contains("SEEN GET /other"))

            let dup = try await VisitorPathScripts.send(kit, port: port, first + "GET /dup2 HTTP/1.1\r\nHost: web.localhost\r\nHost: x.localhost\r\n\r\n")
            #expect(dup.codes == ["200", "400"] && dup.closed, "duplicate Host on request 2: \(dup)")

            // A second head that stalls meets the same deadline as a first one.
            let stalled = try await VisitorPathScripts.send(kit, port: port, first + "GET /second HTTP/1.1\r\nHost: web.localhost\r\n", wait: 8)
            #expect(stalled.codes == ["200", "408"] && stalled.closed && stalled.seconds < 6, "stalled second head: \(stalled)")

            // A second head over httpHeadMaxBytes: 431, like a first one.
            let large = try await VisitorPathScripts.send(
                kit, port: port, first + "GET /large HTTP/1.1\r\nHost: web.localhost\r\nX-Big: \(String(repeating: "a", count: 20_000))\r\n\r\n")
            #expect(large.codes == ["200", "431"] && large.closed, "large second head: \(large)")
            #expect(!service.stdout.contains("SEEN GET /large"))
        }
    }

    @Test("after an Upgrade or CONNECT the service declined, the next request is still parsed and rewritten")
    func declinedUpgrade() async throws {
        try await Self.withService { kit, port, service in
            let forged = "GET /after-%@ HTTP/1.1\r\nHost: web.localhost\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n"
            for (name, upgrade) in [
                ("websocket", "GET /ws HTTP/1.1\r\nHost: web.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
                ("h2c", "GET /h2c HTTP/1.1\r\nHost: web.localhost\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"),
                ("connect", "CONNECT web.localhost:80 HTTP/1.1\r\nHost: web.localhost\r\n\r\n"),
            ] {
                // Sent together (the visitor does not wait) and one after the other.
                for separator in ["", "<PAUSE>"] {
                    let request = upgrade + separator + forged.replacingOccurrences(of: "%@", with: name + separator.count.description)
                    let reply = try await VisitorPathScripts.send(kit, port: port, request, wait: 2)
                    #expect(reply.codes.count == 2, "\(name): \(reply)")
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let seen = service.stdout.split(separator: "\n").filter { $0.contains("/after-") }
            #expect(seen.count == 6, "\(service.stdout)")
            for line in seen { #expect(line.contains("xff=127.0.0.1 "), "forged header reached the service: \(line)") }
        }
    }

    @Test("an accepted upgrade still passes raw bytes sent with its head")
    func acceptedUpgrade() async throws {
        try await Self.withService { kit, port, _ in
            // After the 101 the service echoes: the second "request" comes back as raw bytes, not parsed.
            let raw = "GET /accept HTTP/1.1\r\nHost: web.localhost\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nGET /echoed HTTP/1.1\r\nHost: other.localhost\r\n\r\n"
            let reply = try await VisitorPathScripts.send(kit, port: port, raw, wait: 2)
            #expect(reply.codes == ["101"] && !reply.closed, "\(reply)")
        }
    }
}
