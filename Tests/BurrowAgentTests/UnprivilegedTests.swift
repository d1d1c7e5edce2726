import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// The relay and the agent as an ordinary user (the tests run as root here;
/// real relays run as a service user and agents as the person at the
/// laptop). Every socket option Burrow sets must be one an unprivileged
/// process may set: NIO fails a connection whose option fails, and
/// `.socketOption(.tcp_nodelay)` once asked for SO_DEBUG, which needs
/// CAP_NET_ADMIN, so as `nobody` the relay accepted nothing.
@Suite(.spawnsProcesses) struct UnprivilegedTests {
    @Test("burrow serve and burrow up as nobody: the agent connects, an HTTP and a TCP visitor get through", .timeLimit(.minutes(5)))
    func relayAndAgentAsNobody() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let echo = try await EchoServer()
        let pair = try BinaryRelayAndAgent("burrow-nobody", unprivileged: true)
        defer { pair.remove() }
        try pair.add(.http, "site", port: local.port)
        try pair.add(.tcp, "echo", port: echo.port)
        let (relay, up) = try await pair.start(reporting: ["echo", "site"])
        if getuid() == 0 {
            #expect(try Self.uid(of: relay.pid) == 65534 && Self.uid(of: up.pid) == 65534)
        }
        let urls = Dictionary(BurrowBinary.onlineURLs(up.text).map { ($0.name, $0.url) }, uniquingKeysWith: { a, _ in a })
        let page = try await Tools.curl([try #require(urls["site"], "\(up.text)") + "/"])
        #expect(page.output == "hello from the local service\n", "\(relay.text)")
        let echoURL = try #require(urls["echo"], "\(up.text)")
        let echoPort = try #require(try PublicURL(parsing: echoURL).port)
        try await BinaryTests.expectEcho(port: echoPort, "as nobody")
        await echo.stop()
    }

    /// The real user id of process `pid` (after setpriv's exec).
    private static func uid(of pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Uid:") })
        return Int(line.split(separator: "\t")[1]) ?? -1
    }
}
