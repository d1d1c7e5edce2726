import BurrowTestSupport
import BurrowConfig
import BurrowRelay
import Foundation
import Testing

/// Bad input on the public ports: the relay answers (or closes) each hostile
/// visitor and keeps serving the others. A real relay, a stock `ssh -R`
/// forward to a python3 HTTP server, hostile python3 clients.
@Suite("Hostile input", .spawnsProcesses, .timeLimit(.minutes(10)))
struct HostileInputTests {
    /// A relay with one HTTP forward `web` that works; `body` gets (the test, url).
    static func withServedRelay(
        limits: (inout RelayLimits) -> Void = { _ in }, _ body: (RelayTest, String) async throws -> Void
    ) async throws {
        try await RelayTest.run(configure: { limits(&$0.limits) }) { test in
            let url = try await test.served("web", by: try await test.kit.site(index: "fine\n")) + "/index.html"
            try await body(test, url)
            // Whatever came before, the relay still serves a well-behaved visitor.
            #expect(try await test.kit.curl(url).body == "fine\n")
        }
    }

    static func head(_ lines: [String]) -> [UInt8] {
        Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    @Test("slowloris: a head that never ends gets 408 after httpHeadTimeoutSeconds")
    func slowloris() async throws {
        try await Self.withServedRelay(limits: { $0.httpHeadTimeoutSeconds = 1 }) { test, _ in
            let (kit, relay) = (test.kit, test.relay)
            let reply = try await HostileClient.slowloris(kit, port: relay.httpPort)
            #expect(reply.first == "HTTP/1.1 408 Request Timeout")
            #expect(reply.seconds >= 0.9, "answered after \(reply.seconds) s")
        }
    }

    @Test("a 1 MB header and a 20 KB header get 431; the decoder never sees the rest")
    func oversizedHeads() async throws {
        try await Self.withServedRelay { test, _ in
            let (kit, relay) = (test.kit, test.relay)
            for size in [1 << 20, 20_000] {
                let bytes = Self.head(["GET / HTTP/1.1", "Host: web.localhost", "X-Big: " + String(repeating: "a", count: size)])
                let reply = try await HostileClient.raw(kit, port: relay.httpPort, bytes)
                #expect(reply.first == "HTTP/1.1 431 Request Header Fields Too Large", "size \(size)")
            }
            // Many small headers add up the same way.
            let many = Self.head(["GET / HTTP/1.1", "Host: web.localhost"] + (0..<2000).map { "X-H\($0): v" })
            #expect(try await HostileClient.raw(kit, port: relay.httpPort, many).first.hasPrefix("HTTP/1.1 431"))
            // Just under the limit is fine.
            let fits = Self.head(["GET /index.html HTTP/1.1", "Host: web.localhost", "Connection: close", "X-Fits: " + String(repeating: "a", count: 15_000)])
            #expect(try await HostileClient.raw(kit, port: relay.httpPort, fits).first == "HTTP/1.1 200 OK")
        }
    }

    @Test("a TLS ClientHello, binary garbage, a Host with a path or a NUL: 400/404, never a crash")
    func garbageOnTheHTTPPort() async throws {
        try await Self.withServedRelay { test, _ in
            let (kit, relay) = (test.kit, test.relay)
            // The start of a real TLS 1.2 ClientHello for web.localhost.
            var hello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]
            hello += (0..<32).map { UInt8($0) } + [0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00]
            hello += Array("\u{0}\u{0}\u{0}\u{12}\u{0}\u{10}\u{0}\u{0}\u{0d}web.localhost".utf8)
            let tls = try await HostileClient.raw(kit, port: relay.httpPort, hello)
            #expect(tls.first == "HTTP/1.1 400 Bad Request")

            let garbage = (0..<4096).map { _ in UInt8.random(in: 0...255) }
            let random = try await HostileClient.raw(kit, port: relay.httpPort, garbage)
            #expect(random.first == "HTTP/1.1 400 Bad Request" || random.length == 0)

            let path = try await HostileClient.raw(kit, port: relay.httpPort, Self.head(["GET / HTTP/1.1", "Host: web.localhost/../admin"]))
            #expect(path.first.hasPrefix("HTTP/1.1 404") || path.first.hasPrefix("HTTP/1.1 400"), "\(path.first)")

            var nul = Self.head(["GET / HTTP/1.1", "Host: web.localhost"])
            nul.insert(0, at: 27)  // inside the Host value
            let nulReply = try await HostileClient.raw(kit, port: relay.httpPort, nul)
            #expect(nulReply.first.hasPrefix("HTTP/1.1 400") || nulReply.first.hasPrefix("HTTP/1.1 404"), "\(nulReply.first)")

            let noHost = try await HostileClient.raw(kit, port: relay.httpPort, Self.head(["GET / HTTP/1.1"]))
            #expect(noHost.first == "HTTP/1.1 400 Bad Request")
        }
    }

    @Test("garbage on the SSH port is closed; the SSH server keeps answering")
    func garbageOnTheSSHPort() async throws {
        try await Self.withServedRelay(limits: { $0.sshAuthTimeoutSeconds = 2 }) { test, _ in
            let (kit, relay) = (test.kit, test.relay)
            let log = test.log
            let garbage = (0..<65536).map { _ in UInt8.random(in: 0...255) }
            let reply = try await HostileClient.raw(kit, port: relay.sshPort, garbage)
            #expect(reply.seconds < 10)
            let versionThenJunk = Array("SSH-2.0-evil\r\n".utf8) + [0, 0, 0xff, 0xff, 0xff] + garbage.prefix(1000)
            // (A packet length it must wait for: the login deadline ends it.)
            let second = try await HostileClient.raw(kit, port: relay.sshPort, versionThenJunk)
            #expect(second.first.hasPrefix("SSH-2.0-"))
            #expect(second.seconds < 40)
            #expect(log.text.contains("no login within 2 s; closing"), "\(log.text)")
            // A new, honest SSH client still gets in and is served.
            let key = try await kit.makeKey("late", authorize: true)
            let ssh = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: ["late:80:127.0.0.1:9"], command: "burrow-control")
            _ = try await ssh.waitFor("\"type\":\"forwarded\"")
        }
    }

    @Test("an SSH client that does not log in is closed after sshAuthTimeoutSeconds")
    func sshAuthTimeout() async throws {
        try await Self.withServedRelay(limits: { $0.sshAuthTimeoutSeconds = 1 }) { test, _ in
            let (kit, relay) = (test.kit, test.relay)
            let log = test.log
            let reply = try await HostileClient.raw(kit, port: relay.sshPort, Array("SSH-2.0-silent\r\n".utf8))
            #expect(reply.first.hasPrefix("SSH-2.0-"))
            // Closed by the configured deadline (the log names it), not the default 10 s one.
            #expect(reply.seconds >= 0.9 && reply.seconds < 40, "closed after \(reply.seconds) s")
            #expect(log.text.contains("no login within 1 s; closing"), "\(log.text)")
        }
    }

    @Test("sshMaxAuthAttempts: a client offering too many wrong keys is cut off before its right one")
    func sshAuthAttempts() async throws {
        try await Self.withServedRelay(limits: { $0.sshMaxAuthAttempts = 2 }) { test, _ in
            let (kit, relay) = (test.kit, test.relay)
            let wrong = try await [kit.makeKey("w1", authorize: false), kit.makeKey("w2", authorize: false), kit.makeKey("w3", authorize: false)]
            let right = try await kit.makeKey("right", authorize: true)
            func ssh(_ keys: [String]) throws -> TestProcess {
                var arguments = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                                 "-o", "IdentitiesOnly=yes", "-p", String(relay.sshPort)]
                for key in keys { arguments += ["-i", key] }
                return kit.track(try TestProcess("ssh", arguments + ["tester@127.0.0.1", "burrow-control"]))
            }
            let cutOff = try ssh(wrong + [right])
            #expect(try await cutOff.wait(timeout: .seconds(20)) == 255)
            // With one wrong key first, the right key is the second attempt: in.
            let admitted = try ssh([wrong[0], right])
            _ = try await admitted.waitFor("\"type\":\"welcome\"")
        }
    }

    @Test("newConnectionsPerSecondPerIP: the excess gets 429, and the log says so once")
    func connectionRate() async throws {
        try await Self.withServedRelay(limits: {
            $0.newConnectionsPerSecondPerIP = 5
            $0.limitReportIntervalSeconds = 60
        }) { test, _ in
            let (kit, relay) = (test.kit, test.relay)
            let log = test.log
            try await Task.sleep(for: .seconds(1))  // a full bucket
            let codes = try await HostileClient.burst(kit, port: relay.httpPort, count: 40, host: "web.localhost")
            #expect(codes["200", default: 0] >= 5, "\(codes)")
            #expect(codes["429", default: 0] >= 20, "\(codes)")
            #expect(log.text.components(separatedBy: "limit newConnectionsPerSecondPerIP").count - 1 == 1, "\(log.text)")
            try await Task.sleep(for: .seconds(1))  // refilled for the closing check
        }
    }

    /// On the HTTP port, and on the TLS port with https termination on
    /// (half-open handshakes: no ClientHello ever comes).
    @Test("10 000 connections that never send: others are still served, all are closed at the head timeout",
          .tags(.slow), arguments: [false, true])
    func tenThousandSilentConnections(tls: Bool) async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        // The relay runs as `burrow serve` in its own process: 10 000
        // descriptors in this one would starve every test running beside it.
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let count = min(10_000, Int(limit.rlim_max) - 1000)
        let key = try await kit.makeKey("agent", authorize: true)
        let local = try await kit.site(index: "fine\n")
        try kit.writeState("relay.json", #"{ "version": 1, "limits": { "httpHeadTimeoutSeconds": 3, "newConnectionsPerSecondPerIP": 1000000 } }"#)
        let (serve, sshPort, httpPort) = try await kit.serve(
            tls ? ["--tls-port", "0", "--local-ca", "--config-dir", kit.directory + "/config"] : [])
        let port = tls ? Int(try await serve.waitFor("tls +127\\.0\\.0\\.1:(\\d+)"))! : httpPort
        _ = try kit.ssh(key: key, sshPort: sshPort, forwards: ["web:80:127.0.0.1:\(local)"])
        let url = "\(tls ? "https" : "http")://web.localhost:\(port)/index.html"
        let trust = tls ? ["--cacert", kit.directory + "/config/local-ca.pem", "--resolve", "web.localhost:\(port):127.0.0.1"] : []
        let deadline = ContinuousClock.now + .seconds(60)
        while try await kit.curl(url, trust, timeout: 5).body != "fine\n", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }

        let script = try HostileClient.install(in: kit)
        let idle = kit.track(try TestProcess("python3", ["-u", script, "idle", String(port), String(count), "40"]))
        _ = try await idle.waitFor("OPEN (\\d+)", timeout: .seconds(60))
        // While they hang on, a real visitor is served (over TLS: handshake, decrypt, route).
        #expect(try await kit.curl(url, trust, timeout: 10).body == "fine\n")
        // And the head timeout lets every one of them go.
        let closed = try await idle.waitFor("CLOSED (\\d+)", timeout: .seconds(60))
        #expect(Int(closed) == count, "\(idle.stdout)")
        #expect(serve.isRunning)
        #expect(try await kit.curl(url, trust, timeout: 10).body == "fine\n")
    }
}

/// `sshMaxChannelsPerSession`, with OpenSSH's connection sharing: every
/// `ssh -S SOCKET` opens one more session channel on the master's connection.
@Suite("SSH channel limit", .spawnsProcesses, .timeLimit(.minutes(10)))
struct SSHChannelLimitTests {
    @Test("a connection gets at most sshMaxChannelsPerSession session channels")
    func channelLimit() async throws {
        try await RelayTest.run(configure: { $0.limits.sshMaxChannelsPerSession = 2 }) { test in
            let (kit, relay, log) = (test.kit, test.relay, test.log)
            let socket = kit.directory + "/mux"
            let master = try test.ssh([], extra: ["-M", "-S", socket])
            let deadline = ContinuousClock.now + .seconds(15)
            while !FileManager.default.fileExists(atPath: socket), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(master.isRunning)
            // Shell sessions (the relay's banner) stay open until Ctrl-C, whatever stdin does.
            func session() throws -> TestProcess {
                kit.track(try TestProcess("ssh", ["-tt", "-S", socket, "-p", String(relay.sshPort), "tester@127.0.0.1"]))
            }
            var sessions: [TestProcess] = []
            for _ in 0..<2 {
                let shell = try session()
                _ = try await shell.waitFor("your tunnels")
                sessions.append(shell)
            }
            let third = try session()
            // The refused channel: the mux client reports it (OpenSSH may keep
            // waiting for the master instead of exiting, so it is not waited for).
            do {
                _ = try await third.waitFor("open failed|administratively prohibited|failed", inStderr: true, timeout: .seconds(60))
            } catch {
                Issue.record("\(error)\nmaster: \(master.stderr)\nlog: \(log.text)")
            }
            #expect(!third.stdout.contains("your tunnels"))
            #expect(log.text.contains("sshMaxChannelsPerSession"), "\(log.text)")
            #expect(sessions.filter { !$0.isRunning }.isEmpty)
        }
    }
}
