import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// HTTP/2 to the visitors of a terminated https name, with real processes:
/// `burrow serve --local-ca`, `burrow up` as the agent, an HTTP/1.1-only
/// local service (`Tests/Scripts/h2_backend.py`), and curl (nghttp2 inside)
/// and h2load as visitors. Each HTTP/2 stream is one HTTP/1.1 request on its
/// own tunnel channel, through the same routing and checks as HTTP/1.1.
@Suite("relay HTTP/2 to visitors", .spawnsProcesses, .serialized, .timeLimit(.minutes(10)))
struct RelayHTTP2Tests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts")
    static let backendScript = scripts.appendingPathComponent("h2_backend.py").path

    /// A relay terminating https for `web.localhost`, its agent, and the service behind.
    final class Running {
        let kit: RelayTestKit
        /// The local service: prints "DONE <path>" when a tunnel connection to it ends.
        let backend: TestProcess
        let serve: TestProcess
        let up: TestProcess
        let tlsPort: Int
        var ca: String { kit.relayConfigDirectory + "/local-ca.pem" }
        /// curl's arguments to reach web.localhost on the TLS port, trusting only the local CA.
        var trust: [String] { ["--cacert", ca, "--resolve", "web.localhost:\(tlsPort):127.0.0.1"] }
        func url(_ path: String) -> String { "https://web.localhost:\(tlsPort)\(path)" }

        private init(kit: RelayTestKit, backend: TestProcess, serve: TestProcess, up: TestProcess, tlsPort: Int) {
            (self.kit, self.backend, self.serve, self.up, self.tlsPort) = (kit, backend, serve, up, tlsPort)
        }

        /// Everything started and web.localhost served over https; on a failure nothing is left running.
        static func start() async throws -> Running {
            let kit = try RelayTestKit()
            do {
                return try await start(kit)
            } catch {
                kit.cleanUp()
                throw error
            }
        }

        private static func start(_ kit: RelayTestKit) async throws -> Running {
            let backend = kit.track(try TestProcess("python3", ["-u", RelayHTTP2Tests.backendScript]))
            let local = Int(try await backend.waitFor("PORT (\\d+)\\n"))!
            // Many connections from one address in a few seconds (h2load, curl loops).
            try FileManager.default.createDirectory(atPath: kit.stateDirectory, withIntermediateDirectories: true)
            try #"{"version": 1, "limits": {"newConnectionsPerSecondPerIP": 100000}}"#
                .write(toFile: kit.stateDirectory + "/relay.json", atomically: true, encoding: .utf8)
            let agentDirectory = kit.directory + "/agent"
            let store = ConfigStore(directory: agentDirectory)
            let authorized = try store.identity(for: nil).publicKeyLine + "\n"
            try authorized.write(toFile: kit.stateDirectory + "/authorized_keys", atomically: true, encoding: .utf8)
            let (serve, sshPort, _, tlsPort) = try await kit.serveTLS(["--http-port", "0", "--local-ca"])
            _ = try store.addProfile(Profile(name: "home", host: "127.0.0.1", sshPort: sshPort))
            _ = try store.addMapping(protocol: .http, local: LocalAddress(port: local), name: "web", remotePort: nil, profile: nil, enabled: true)
            let up = kit.track(try TestProcess(RelayTestKit.burrowBinary, ["up", "--config-dir", agentDirectory]))
            _ = try await up.waitFor("web  (https://web\\.localhost:\\d+)")
            let running = Running(kit: kit, backend: backend, serve: serve, up: up, tlsPort: tlsPort)
            let deadline = ContinuousClock.now.advanced(by: .seconds(60))
            while try await kit.curl(running.url("/headers"), running.trust, timeout: 5).status != 200 {
                guard ContinuousClock.now < deadline else { throw TestFailure("not served: \(serve.stderr)\n\(up.stderr)") }
                try await Task.sleep(for: .milliseconds(100))
            }
            return running
        }

        /// curl with `arguments`, its `-w` output on stdout.
        func curl(_ arguments: [String], timeout: Int = 60) async throws -> TestProcess {
            try await TestProcess.run("curl", ["-s", "-S", "-m", String(timeout)] + trust + arguments, timeout: .seconds(timeout + 10))
        }
    }

    @Test("curl --http2 gets the page over HTTP/2, the service sees https, hop-by-hop fields stay behind, a wrong :authority gets 421")
    func pageOverHTTP2() async throws {
        let running = try await Running.start()
        defer { running.kit.cleanUp() }
        let headersFile = running.kit.directory + "/headers.txt"
        let page = try await running.curl(["--http2", "-D", headersFile, "-w", "\\n%{http_version} %{http_code}", running.url("/headers")])
        let lines = page.stdout.split(separator: "\n")
        #expect(lines.last == "2 200", "\(page.stdout)\n\(page.stderr)\n\(running.serve.stderr)")
        let seen = try JSONSerialization.jsonObject(with: Data(lines.first.map { String($0) }?.utf8 ?? "".utf8)) as? [String: Any]
        #expect(seen?["proto"] as? [String] == ["https"])
        #expect((seen?["forwarded"] as? [String])?.first?.contains("proto=https") == true)
        #expect(seen?["host"] as? String == "web.localhost:\(running.tlsPort)")
        #expect(seen?["path"] as? String == "/headers")
        let headers = try String(contentsOfFile: headersFile, encoding: .utf8).lowercased()
        #expect(headers.hasPrefix("http/2 200"), "\(headers)")
        #expect(headers.contains("x-backend: h1"))
        #expect(!headers.contains("connection:") && !headers.contains("keep-alive:") && !headers.contains("transfer-encoding:"), "\(headers)")

        // A chunked response (its trailer dropped) and one that ends at the close, re-framed as HTTP/2.
        let chunked = try await running.curl(["--http2", "-D", headersFile, "-w", "%{http_version}", running.url("/chunked")])
        #expect(chunked.stdout == "one two three\n2", "\(chunked.stderr)")
        #expect(try !String(contentsOfFile: headersFile, encoding: .utf8).lowercased().contains("x-trailer"))
        let untilClose = try await running.curl(["--http2", "-w", "%{http_version}", running.url("/close")])
        #expect(untilClose.stdout == "until the close\n2", "\(untilClose.stderr)")

        // Another name on this name's connection: 421, as over HTTP/1.1.
        let misdirected = try await running.curl(["--http2", "-o", "/dev/null", "-H", "Host: other.localhost", "-w", "%{http_version} %{http_code}", running.url("/")])
        #expect(misdirected.stdout == "2 421", "\(misdirected.stderr)")
        // And the connection's own name right after, on a new connection, still works.
        let again = try await running.curl(["--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", running.url("/headers")])
        #expect(again.stdout == "2 200")
    }

    @Test("many concurrent streams on one connection all succeed (curl --parallel, h2load -m 10)")
    func concurrentStreams() async throws {
        let running = try await Running.start()
        defer { running.kit.cleanUp() }
        // 40 transfers multiplexed by curl over one connection.
        var arguments = ["--http2", "--parallel", "--parallel-max", "20", "-w", "%{http_version} %{http_code} %{num_connects}\\n"]
        for index in 0..<40 { arguments += ["-o", "/dev/null", running.url("/headers?\(index)")] }
        let parallel = try await running.curl(arguments)
        let results = parallel.stdout.split(separator: "\n")
        #expect(results.count == 40, "\(parallel.stdout)\n\(parallel.stderr)")
        #expect(results.allSatisfy { $0.hasPrefix("2 200 ") }, "\(parallel.stdout)")
        // One connection: curl counts a new one once (or not at all when the
        // parallel start waits for the first to multiplex on it).
        #expect(results.compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +) <= 2, "\(parallel.stdout)")

        guard (try? TestProcess.which("h2load")) != nil else {
            Issue.record("h2load (Debian's nghttp2-client) is not installed: .ci/run installs it")
            return
        }
        let load = try await TestProcess.run("h2load", [
            "-n", "200", "-c", "2", "-m", "10", "--connect-to", "127.0.0.1:\(running.tlsPort)",
            running.url("/headers")], timeout: .seconds(120))
        #expect(load.stdout.contains("200 succeeded, 0 failed, 0 errored"), "\(load.stdout)\n\(load.stderr)\n\(running.serve.stderr)")
        #expect(load.stdout.contains("status codes: 200 2xx"), "\(load.stdout)")
        #expect(load.stdout.contains("Application protocol: h2"), "\(load.stdout)")
    }

    @Test("a stream the visitor resets closes its tunnel channel; the connection's other streams go on")
    func resetStreamClosesItsChannel() async throws {
        let running = try await Running.start()
        defer { running.kit.cleanUp() }
        let client = running.kit.track(try TestProcess("python3", [
            "-u", Self.scripts.appendingPathComponent("h2_reset_client.py").path, String(running.tlsPort), "web.localhost", running.ca]))
        // The echo answered its head (the tunnel is up), the stream was reset with 90 bytes of its body still owed.
        _ = try await client.waitFor("(RESET 1)")
        _ = try await client.waitFor("(RESPONSE 3 0x88)")
        _ = try await client.waitFor("(OPEN)")
        // The service's connection for /echo ends while the visitor's connection stays open.
        _ = try await running.backend.waitFor("(DONE /echo)")
        #expect(client.isRunning && !client.stdout.contains("CLOSED"), "\(client.stdout)\n\(client.stderr)")
    }

    @Test("20 MB up and 20 MB down on one HTTP/2 stream arrive intact, with and without Content-Length")
    func largeBodiesBothWays() async throws {
        let running = try await Running.start()
        defer { running.kit.cleanUp() }
        let input = running.kit.directory + "/upload.bin", output = running.kit.directory + "/download.bin"
        try await running.kit.writeRandomFile(input, bytes: 20 * 1024 * 1024)
        let expected = try await running.kit.sha256(ofFile: input)
        // Content-Length known: the body goes through as DATA frames, the echo streams back while it arrives.
        let sized = try await running.curl(["--http2", "--data-binary", "@" + input, "-H", "Content-Type: application/octet-stream",
                                            "-o", output, "-w", "%{http_version} %{http_code} %{size_upload} %{size_download}", running.url("/echo")], timeout: 120)
        #expect(sized.stdout == "2 200 20971520 20971520", "\(sized.stderr)\n\(running.serve.stderr)")
        #expect(try await running.kit.sha256(ofFile: output) == expected)
        // No Content-Length (curl -T - reads stdin): chunked towards the service, and back.
        let streamed = try await TestProcess.run("sh", ["-c",
            "curl -s -S -m 120 --http2 \(running.trust.joined(separator: " ")) -T - -o '\(output)' -w '%{http_version} %{http_code} %{size_download}' "
            + "'\(running.url("/echo"))' < '\(input)'"], timeout: .seconds(130))
        #expect(streamed.stdout == "2 200 20971520", "\(streamed.stderr)\n\(running.serve.stderr)")
        #expect(try await running.kit.sha256(ofFile: output) == expected)
    }

    @Test("a visitor offering only http/1.1 (or no ALPN) gets HTTP/1.1 as before, WebSocket-style upgrades included")
    func http11Unchanged() async throws {
        let running = try await Running.start()
        defer { running.kit.cleanUp() }
        let headersFile = running.kit.directory + "/headers.txt"
        let page = try await running.curl(["--http1.1", "-D", headersFile, "-o", "/dev/null", "-w", "%{http_version} %{http_code}", running.url("/headers")])
        #expect(page.stdout == "1.1 200", "\(page.stderr)")
        // HTTP/1.1 bytes pass unchanged: the service's own Connection field reaches the visitor.
        #expect(try String(contentsOfFile: headersFile, encoding: .utf8).lowercased().contains("keep-alive: timeout=5"))
        let misdirected = try await running.curl(["--http1.1", "-o", "/dev/null", "-H", "Host: other.localhost", "-w", "%{http_code}", running.url("/")])
        #expect(misdirected.stdout == "421")
        // An Upgrade over TLS, first offering http/1.1 by ALPN, then no ALPN at all.
        for alpn in ["['http/1.1']", "None"] {
            let upgrade = try await TestProcess.run("python3", ["-c", """
                import socket, ssl
                ctx = ssl.create_default_context(cafile='\(running.ca)')
                if \(alpn) is not None: ctx.set_alpn_protocols(\(alpn))
                s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', \(running.tlsPort)), timeout=30), server_hostname='web.localhost')
                print('ALPN', s.selected_alpn_protocol())
                s.sendall(b'GET /upgrade HTTP/1.1\\r\\nHost: web.localhost\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n')
                head = b''
                while b'\\r\\n\\r\\n' not in head:
                    head += s.recv(1)
                print(head.split(b'\\r\\n')[0].decode())
                s.sendall(b'ping through the tunnel')
                got = b''
                while len(got) < 23:
                    got += s.recv(100)
                print('ECHO', got.decode())
                """], timeout: .seconds(60))
            #expect(upgrade.stdout.contains("HTTP/1.1 101 Switching Protocols"), "\(alpn): \(upgrade.stdout)\n\(upgrade.stderr)")
            #expect(upgrade.stdout.contains("ECHO ping through the tunnel"), "\(alpn): \(upgrade.stdout)")
            #expect(upgrade.stdout.contains(alpn == "None" ? "ALPN None" : "ALPN http/1.1"), "\(upgrade.stdout)")
        }
    }
}
