import BurrowTestSupport
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// Issue 7 end to end, in process: a relay listening on `::` (so visitors
/// come from 127.0.0.1 and ::1), the engine, real local services (python3,
/// openssl s_server) and real clients (curl, python `websockets`, sockets).
@Suite(.spawnsProcesses, .serialized, .timeLimit(.minutes(10))) struct ServicesTests {
    static func json(_ text: Substring) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func httpHeadsCarryTheRealAddressOnEveryRequestAndWebSocketsPass() async throws {
        let http = try await PythonService("http")
        defer { http.stop() }
        let ws = try await PythonService("ws")
        defer { ws.stop() }
        let relay = try await RelayFixture.start(bindHost: "::")
        try await relay.withAgent(mappings: [
            .http("web", http.port),
            .http("sock", ws.port),
        ]) { agent in
            let url = try await agent.watcher.online("web")
            _ = try await agent.watcher.online("sock")
            let port = relay.endpoints.httpPort

            // Two requests on one kept-alive connection, both with forged headers.
            let forged = ["-H", "X-Forwarded-For: 6.6.6.6", "-H", "Forwarded: for=6.6.6.6", "-H", "X-Forwarded-Proto: https",
                          "-H", "X-Forwarded-Host: evil.example"]
            let both = try await Tools.curl(["-v"] + forged + ["\(url)/one", "\(url)/two"])
            #expect(both.status == 0, "\(both.output)")
            #expect(both.output.contains("Re-using existing connection") || both.output.contains("Reusing existing connection"))
            let answers = try both.output.split(separator: "\n").filter { $0.hasPrefix("{") }.map(Self.json)
            #expect(answers.count == 2)
            for answer in answers {
                #expect(answer["xff"] as? [String] == ["127.0.0.1"])
                #expect(answer["proto"] as? [String] == ["http"])
                #expect(answer["xfh"] as? [String] == ["web.localhost:\(port)"])
                #expect(answer["forwarded"] as? [String] == ["for=127.0.0.1;proto=http;host=\"web.localhost:\(port)\""])
            }

            // From ::1, with a chunked body: the body arrives whole, the address is IPv6.
            let bodyFile = agent.directory.file("body.bin")
            try Data((0..<300_000).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: bodyFile))
            let chunked = try await Tools.curl([
                "-H", "Host: web.localhost:\(port)", "-H", "Transfer-Encoding: chunked", "-H", "X-Forwarded-For: 6.6.6.6",
                "--data-binary", "@\(bodyFile)", "http://[::1]:\(port)/upload",
            ])
            #expect(chunked.status == 0, "\(chunked.output)")
            let upload = try Self.json(try #require(chunked.output.split(separator: "\n").first { $0.hasPrefix("{") }))
            #expect(upload["xff"] as? [String] == ["::1"])
            #expect(upload["forwarded"] as? [String] == ["for=\"[::1]\";proto=http;host=\"web.localhost:\(port)\""])
            #expect(upload["length"] as? Int == 300_000)
            #expect(upload["sha"] as? String == (try await Tools.sha256(bodyFile)))

            // A WebSocket (python websockets on both ends) through the same router.
            let socket = try await PythonService.client(["ws", "\(port)", "sock.localhost"])
            #expect(socket["greeting"] as? String == "hello 127.0.0.1")
            #expect(socket["echoes"] as? [String] == ["one", String(repeating: "two", count: 1000), "three", "0001" + "binary".utf8.map { String(format: "%02x", $0) }.joined()])
        }
    }

    @Test func allowDenyAndBasicAuthForIPv4AndIPv6() async throws {
        let http = try await PythonService("http")
        defer { http.stop() }
        let echo = try await PythonService("echo")
        defer { echo.stop() }
        let relay = try await RelayFixture.start(bindHost: "::")
        let auth = try BasicAuthRule.hashing(user: "alice", password: "s3:cret")
        try await relay.withAgent(mappings: [
            Mapping(name: "v4only", protocol: .http, local: LocalAddress(port: http.port), allow: [try CIDR(parsing: "127.0.0.0/8")]),
            Mapping(name: "nov6", protocol: .http, local: LocalAddress(port: http.port), deny: [try CIDR(parsing: "::1")]),
            Mapping(name: "denywins", protocol: .http, local: LocalAddress(port: http.port),
                    allow: [try CIDR(parsing: "0.0.0.0/0"), try CIDR(parsing: "::/0")], deny: [try CIDR(parsing: "127.0.0.1/32")]),
            Mapping(name: "private", protocol: .http, local: LocalAddress(port: http.port), basicAuth: auth),
            Mapping(name: "tcpv6", protocol: .tcp, local: LocalAddress(port: echo.port), allow: [try CIDR(parsing: "::1/128")]),
        ]) { agent in
            for name in ["v4only", "nov6", "denywins", "private"] { _ = try await agent.watcher.online(name) }
            let tcpURL = try await agent.watcher.online("tcpv6")
            let port = relay.endpoints.httpPort

            func status(_ name: String, from address: String, _ extra: [String] = []) async throws -> String {
                let target = address.contains(":") ? "http://[\(address)]:\(port)/" : "http://\(address):\(port)/"
                let result = try await Tools.curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: \(name).localhost:\(port)"] + extra + [target])
                return result.output
            }
            #expect(try await status("v4only", from: "127.0.0.1") == "200")
            #expect(try await status("v4only", from: "::1") == "403")
            #expect(try await status("nov6", from: "127.0.0.1") == "200")
            #expect(try await status("nov6", from: "::1") == "403")
            #expect(try await status("denywins", from: "127.0.0.1") == "403")
            #expect(try await status("denywins", from: "::1") == "200")
            for address in ["127.0.0.1", "::1"] {
                #expect(try await status("private", from: address) == "401")
                #expect(try await status("private", from: address, ["-u", "alice:wrong"]) == "401")
                #expect(try await status("private", from: address, ["-u", "bob:s3:cret"]) == "401")
                #expect(try await status("private", from: address, ["-u", "alice:s3:cret"]) == "200")
            }
            let challenge = try await Tools.curl(["-i", "-H", "Host: private.localhost:\(port)", "http://127.0.0.1:\(port)/"])
            #expect(challenge.output.contains("WWW-Authenticate: Basic realm=\"private.localhost\""))
            // The local service never sees the relay's credentials.
            let admitted = try await Tools.curl(["-u", "alice:s3:cret", "-H", "Host: private.localhost:\(port)", "http://127.0.0.1:\(port)/"])
            let seen = try Self.json(try #require(admitted.output.split(separator: "\n").first { $0.hasPrefix("{") }))
            #expect(seen["authorization"] is NSNull)

            // Keep-alive: a later request without credentials closes the connection, unanswered.
            let kept = try await PythonService.client(["keepalive", "\(port)", "private.localhost:\(port)", "alice:s3:cret"])
            #expect((kept["first"] as? String)?.hasPrefix("HTTP/1.1 200") == true, "\(kept)")
            #expect(kept["second"] as? String == "", "\(kept)")

            // TCP: only ::1 gets through; 127.0.0.1 is closed before a byte reaches the agent.
            let tcpPort = try #require(tcpURL.port)
            let fromV6 = try await PythonService.client(["tcp", "::1", "\(tcpPort)", "1"])
            #expect(fromV6["lines"] as? [String] == ["ping"])
            let fromV4 = try await PythonService.client(["tcp", "127.0.0.1", "\(tcpPort)", "1"])
            #expect(fromV4["lines"] as? [String] == [])
            try await Task.sleep(for: .milliseconds(200))
            let snapshot = try #require(await agent.mapping("tcpv6"))
            #expect(snapshot.totalVisitors == 1)
        }
    }

    @Test func proxyProtocolV1AndV2ReachTheLocalService() async throws {
        let proxy = try await PythonService("proxy")
        defer { proxy.stop() }
        let relay = try await RelayFixture.start(bindHost: "::")
        try await relay.withAgent(mappings: [
            Mapping(name: "ppone", protocol: .tcp, local: LocalAddress(port: proxy.port), proxyProtocol: .v1),
            Mapping(name: "pptwo", protocol: .tcp, local: LocalAddress(port: proxy.port), proxyProtocol: .v2),
        ]) { agent in
            let one = try #require(try await agent.watcher.online("ppone").port)
            let two = try #require(try await agent.watcher.online("pptwo").port)
            for (version, port) in [("v1", one), ("v2", two)] {
                let v4 = try await PythonService.client(["tcp", "127.0.0.1", "\(port)", "2"])
                let v4Port = try #require((v4["local"] as? [Any])?[1] as? Int)
                #expect(v4["lines"] as? [String] == ["SRC \(version) 127.0.0.1 \(v4Port)", "ping"], "\(v4)")
                let v6 = try await PythonService.client(["tcp", "::1", "\(port)", "2"])
                let v6Port = try #require((v6["local"] as? [Any])?[1] as? Int)
                #expect(v6["lines"] as? [String] == ["SRC \(version) ::1 \(v6Port)", "ping"], "\(v6)")
            }
        }
    }

    @Test func udpFlowsKeepTheirDatagramsInOrderAndApart() async throws {
        let echo = try await PythonService("udpecho")
        defer { echo.stop() }
        let relay = try await RelayFixture.start(bindHost: "::")
        try await relay.withAgent(mappings: [Mapping(name: "game", protocol: .udp, local: LocalAddress(port: echo.port))]) { agent in
            let url = try await agent.watcher.online("game")
            #expect(url.scheme == "udp")
            let port = try #require(url.port)
            #expect(relay.portRange.contains(port))
            let result = try await PythonService.client(["udp", "\(port)", "1000", "127.0.0.1"])
            #expect(result["total"] as? Int == 1000, "\(result)")
            let flows = try #require(result["results"] as? [[String: Any]])
            #expect(flows.allSatisfy { ($0["bad"] as? [Any])?.isEmpty == true }, "\(flows)")
            // IPv6 visitors work too.
            let v6 = try await PythonService.client(["udp", "\(port)", "30", "::1"])
            #expect(v6["total"] as? Int == 30, "\(v6)")
            try await Task.sleep(for: .milliseconds(200))
            let snapshot = try #require(await agent.mapping("game"))
            #expect(snapshot.totalVisitors == 6)  // 3 + 3 flows, one channel each
        }
    }

    @Test func udpDenyDropsAVisitorAndIdleFlowsExpire() async throws {
        let echo = try await PythonService("udpecho")
        defer { echo.stop() }
        let relay = try await RelayFixture.start(bindHost: "::", udpFlowIdleTimeout: .milliseconds(500))
        try await relay.withAgent(mappings: [Mapping(name: "game", protocol: .udp, local: LocalAddress(port: echo.port), deny: [try CIDR(parsing: "::1")])]) { agent in
            let port = try #require(try await agent.watcher.online("game").port)
            let v4 = try await PythonService.client(["udp", "\(port)", "30", "127.0.0.1"])
            #expect(v4["total"] as? Int == 30, "\(v4)")
            let open = try #require(await agent.mapping("game"))
            #expect(open.totalVisitors == 3)
            // ::1 is denied: its datagrams never reach the agent (no flow, no reply).
            let v6 = try await PythonService.client(["udp", "\(port)", "1", "::1"])
            #expect(v6["total"] as? Int == 0, "\(v6)")
            // Idle flows are closed by the relay (0.5 s here), and with them the agent's sockets.
            try await Task.sleep(for: .milliseconds(1500))
            let idle = try #require(await agent.mapping("game"))
            #expect(idle.totalVisitors == 3)
            #expect(idle.openVisitors == 0)
        }
    }
}
