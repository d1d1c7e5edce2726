import BurrowTestSupport
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// The built binaries, as people run them: `burrow serve` as the relay and
/// `burrow up` as the agent, in separate processes.
@Suite(.spawnsProcesses) struct BinaryTests {
    @Test(.timeLimit(.minutes(10)))
    func upReconnectsWithTheSameURLsAfterTheRelayRestarts() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let echo = try await EchoServer()
        let pair = try BinaryRelayAndAgent("burrow-up")
        defer { pair.remove() }
        try pair.add(.http, "site", port: local.port)
        try pair.add(.tcp, "echo", port: echo.port)
        let httpPort = pair.httpPort
        let started = try await pair.start(reporting: ["echo", "site"])
        var relay = started.relay
        let up = started.up
        let first = Dictionary(BurrowBinary.onlineURLs(up.text).map { ($0.name, $0.url) }, uniquingKeysWith: { a, _ in a })
        #expect(first["site"] == "http://site.localhost:\(httpPort)")
        let page = try await Tools.curl([try #require(first["site"]) + "/"])
        #expect(page.output == "hello from the local service\n")
        let echoURL = try #require(first["echo"])
        let echoPort = try #require(try PublicURL(parsing: echoURL).port)
        try await Self.expectEcho(port: echoPort, "before restart")

        // Kill the relay outright, then start it again on the same state dir.
        relay.stop(signal: SIGKILL)
        try await up.waitForOutput("\"event\":\"reconnecting\"")
        let restarted = ContinuousClock.now
        relay = try await pair.serve()
        let deadline = restarted + .seconds(10)
        while BurrowBinary.onlineURLs(up.text).count < 4 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let online = BurrowBinary.onlineURLs(up.text)
        #expect(online.count == 4, "not back online within 10 s:\n\(up.text)")
        let second = Dictionary(online.suffix(2).map { ($0.name, $0.url) }, uniquingKeysWith: { a, _ in a })
        #expect(second == first, "the URLs changed")
        let again = try await Tools.curl([try #require(second["site"]) + "/"])
        #expect(again.output == "hello from the local service\n")
        try await Self.expectEcho(port: echoPort, "after restart")

        // SIGTERM: a graceful stop, exit status 0.
        #expect(up.stop(signal: SIGTERM) == 0)
        #expect(BurrowBinary.jsonEvents(up.text).contains { $0["event"] as? String == "offline" })
        await echo.stop()
    }

    @Test(.timeLimit(.minutes(10)))
    func upStartsTheEmbeddedRelayWhenNoProfileIsConfigured() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let config = try BurrowBinary.soloConfig("burrow-up-embedded", port: local.port)
        defer { config.remove() }

        let up = try TestProcess(BurrowBinary.path, ["up", "--config-dir", config.path], output: .combined)
        defer { up.stop() }
        let line = try await BurrowBinary.soloLine(up)
        #expect(up.text.contains("started the embedded relay on 127.0.0.1"))
        #expect(line.hasSuffix(" -> 127.0.0.1:\(local.port)"))
        let url = String(line.split(separator: " ")[1])
        let page = try await Tools.curl([url + "/"])
        #expect(page.output == "hello from the local service\n")
        // https beside it, signed by the local CA made in the config directory.
        let https = try #require(line.firstRange(of: "(also ").map { String(line[$0.upperBound...].prefix { $0 != ")" }) }, "\(line)")
        #expect(https.hasPrefix("https://solo.localhost:"))
        let secure = try await Tools.curl(["--cacert", config.file("local-ca.pem"), https + "/"])
        #expect(secure.output == "hello from the local service\n", "\(secure.output)")
        #expect(FileManager.default.fileExists(atPath: config.file("embedded-relay/host_key")))
        #expect(up.stop(signal: SIGINT) == 0)
    }

    static func expectEcho(port: Int, _ label: String) async throws {
        let reply = try await BlockingSocket.exchange(port: port, Array("ping \(label)\n".utf8))
        #expect(String(decoding: reply, as: UTF8.self) == "ping \(label)\n")
    }
}
