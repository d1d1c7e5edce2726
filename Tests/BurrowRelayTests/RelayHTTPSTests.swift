import BurrowTestSupport
import Foundation
import Testing

/// https URLs for HTTP mappings, as a user and a hostile visitor meet them:
/// the real `burrow serve` terminates TLS on its TLS port for a name an HTTP
/// mapping holds (certificates from the local CA or from pebble over ACME),
/// the local service behind stock `ssh -R` is told the visitor came over
/// https, and what is not an HTTP mapping's name is closed, never routed.
@Suite("relay https termination", .spawnsProcesses, .serialized, .timeLimit(.minutes(10)))
struct RelayHTTPSTests {

    /// The agent side of every test here: an authorized key and a local
    /// service that reflects the forwarding headers it saw.
    private func agent(_ kit: RelayTestKit) async throws -> (key: String, local: Int) {
        let key = try await kit.makeKey("agent", authorize: true)
        let script = try TestScripts.install("reflect_headers.py", in: kit.directory)
        let server = kit.track(try TestProcess("python3", ["-u", script]))
        return (key, Int(try await server.waitFor("PORT (\\d+)\\n"))!)
    }

    /// `burrow serve` with `extra`, and a stock `ssh -R web:80:…` of `agent` to it.
    private func serveWeb(_ kit: RelayTestKit, _ extra: [String], _ agent: (key: String, local: Int))
        async throws -> (process: TestProcess, ssh: Int, http: Int, tls: Int) {
        let started = try await kit.serveTLS(extra)
        _ = try kit.ssh(key: agent.key, sshPort: started.ssh, forwards: ["web:80:127.0.0.1:\(agent.local)"])
        return started
    }

    /// Pebble on two free ports (HTTP-01, TLS-ALPN-01 validation).
    private func pebble() async throws -> (pebble: Pebble, http: Int, tls: Int) {
        let ports = try FreePorts.take(2)
        return (try await Pebble(httpPort: ports[0], tlsPort: ports[1]), ports[0], ports[1])
    }

    @Test("--local-ca: https://web.localhost is served, the service sees proto=https, plain http still works")
    func localCertificateAuthority() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let (serve, _, httpPort, tlsPort) = try await serveWeb(kit, ["--http-port", "0", "--local-ca"], agent(kit))
        #expect(serve.stdout.contains("http mappings terminated, local CA"))
        _ = try await kit.waitUntilServed("http://web.localhost:\(httpPort)/")
        let ca = kit.relayConfigDirectory + "/local-ca.pem"
        let resolve = ["--cacert", ca, "--resolve", "web.localhost:\(tlsPort):127.0.0.1"]
        let https = try await kit.curl("https://web.localhost:\(tlsPort)/hello", resolve)
        #expect(https.status == 200, "\(serve.stderr)")
        let seen = try JSONSerialization.jsonObject(with: Data(https.body.utf8)) as? [String: Any]
        #expect(seen?["proto"] as? [String] == ["https"])
        #expect((seen?["forwarded"] as? [String])?.first?.contains("proto=https") == true)
        #expect(seen?["path"] as? String == "/hello")
        let plain = try await kit.curl("http://web.localhost:\(httpPort)/")
        let plainSeen = try JSONSerialization.jsonObject(with: Data(plain.body.utf8)) as? [String: Any]
        #expect(plainSeen?["proto"] as? [String] == ["http"])
        // The certificate of one name never fronts another: Host must be the SNI's name.
        let fronted = try await kit.curl("https://web.localhost:\(tlsPort)/", resolve + ["-H", "Host: other.localhost"])
        #expect(fronted.status == 421, "\(fronted.body)")
        // Several requests on one kept-alive https connection.
        let keepAlive = try await TestProcess.run("curl", ["-s", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\\n"] + resolve
            + ["https://web.localhost:\(tlsPort)/1", "https://web.localhost:\(tlsPort)/2", "https://web.localhost:\(tlsPort)/3"])
        #expect(keepAlive.stdout == "200 1\n200 0\n200 0\n")
    }

    @Test("hostile TLS visitors are closed and counted; the relay keeps serving")
    func hostileVisitors() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        // The per-address connection rate is tested on its own (RelayLimitsTests); here 200 handshakes come from one address.
        try kit.writeState("relay.json", #"{"version": 1, "limits": {"newConnectionsPerSecondPerIP": 100000}}"#)
        let (serve, _, httpPort, tlsPort) = try await serveWeb(kit, ["--http-port", "0", "--local-ca"], agent(kit))
        _ = try await kit.waitUntilServed("http://web.localhost:\(httpPort)/")
        let ca = kit.relayConfigDirectory + "/local-ca.pem"
        // Unknown name: closed at the SNI, no certificate shown.
        let unknown = try await kit.curl("https://nobody.localhost:\(tlsPort)/", ["--cacert", ca, "--resolve", "nobody.localhost:\(tlsPort):127.0.0.1"])
        #expect(unknown.status == 0)
        // No SNI (an IP address): closed.
        let noSNI = try await kit.curl("https://127.0.0.1:\(tlsPort)/", ["-k"])
        #expect(noSNI.status == 0)
        // TLS 1.0/1.1 only: the handshake fails.
        let old = try await TestProcess.run("openssl", ["s_client", "-connect", "127.0.0.1:\(tlsPort)", "-servername", "web.localhost", "-tls1_1"], timeout: .seconds(30))
        #expect(old.exitStatus != 0 || !old.stdout.contains("Cipher is ECDHE"))
        // Garbage after a valid ClientHello's name: closed, never answered in plain text.
        let garbage = try await TestProcess.run("sh", ["-c", "printf 'GET / HTTP/1.1\\r\\nHost: web.localhost\\r\\n\\r\\n' | curl -s -m 5 telnet://127.0.0.1:\(tlsPort) | head -c 100; true"], timeout: .seconds(30))
        #expect(!garbage.stdout.contains("HTTP/1.1"))
        // 200 handshakes that stop half-way (ClientHello, then silence, then gone).
        let halfOpen = try await TestProcess.run("python3", ["-c", """
            import socket, ssl
            ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            socks = []
            for i in range(200):
                raw = socket.create_connection(("127.0.0.1", \(tlsPort)), timeout=10)
                obj = ssl.MemoryBIO(); out = ssl.MemoryBIO()
                s = ctx.wrap_bio(obj, out, server_hostname="web.localhost")
                try: s.do_handshake()
                except ssl.SSLWantReadError: pass
                raw.sendall(out.read())
                socks.append(raw)
            print("OPEN", len(socks))
            """], timeout: .seconds(60))
        #expect(halfOpen.stdout.contains("OPEN 200"), "\(halfOpen.stderr)")
        let after = try await kit.curl("https://web.localhost:\(tlsPort)/", ["--cacert", ca, "--resolve", "web.localhost:\(tlsPort):127.0.0.1"])
        #expect(after.status == 200, "\(serve.stderr)")
        #expect(serve.isRunning)
    }

    @Test("--acme-email with pebble: the certificate is obtained when the name is registered and kept across a restart")
    func acmeWithPebble() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let agent = try await self.agent(kit)
        let (pebble, httpPort, _) = try await self.pebble()
        // Kept past pebble's stop: the restarted relay is given the same flags.
        let wfeCopy = kit.directory + "/pebble-wfe.pem"
        try FileManager.default.copyItem(atPath: pebble.wfeCAFile, toPath: wfeCopy)
        let acme = ["--domain", "burrow.test", "--http-port", String(httpPort), "--acme-email", "ops@burrow.test",
                    "--acme-directory", pebble.directoryURL, "--acme-ca-file", wfeCopy]
        var (serve, _, _, tlsPort) = try await serveWeb(kit, acme, agent)
        #expect(serve.stdout.contains("http mappings terminated, ACME \(pebble.directoryURL)"))
        _ = try await serve.waitFor("certificate web\\.burrow\\.test: (https ready)", inStderr: true, timeout: .seconds(60))
        let root = kit.directory + "/pebble-root.pem"
        try FileManager.default.copyItem(atPath: try await pebble.issuingRootFile(), toPath: root)
        let resolve = ["--cacert", root, "--resolve", "web.burrow.test:\(tlsPort):127.0.0.1"]
        let https = try await kit.curl("https://web.burrow.test:\(tlsPort)/", resolve)
        #expect(https.status == 200, "\(serve.stderr)\n\(pebble.log)")
        #expect(FileManager.default.fileExists(atPath: kit.stateDirectory + "/certificates/web.burrow.test.pem"))
        await pebble.stop()

        // Restarted without the ACME server: the stored certificate serves at once.
        serve.signal(SIGTERM)
        _ = try await serve.wait(timeout: .seconds(20))
        (serve, _, _, tlsPort) = try await serveWeb(kit, acme, agent)
        let again = ["--cacert", root, "--resolve", "web.burrow.test:\(tlsPort):127.0.0.1"]
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        var status = 0
        while ContinuousClock.now < deadline {
            status = try await kit.curl("https://web.burrow.test:\(tlsPort)/", again, timeout: 5).status
            if status == 200 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(status == 200, "\(serve.stderr)")
    }

    @Test("--tls-cert/--tls-key: a wildcard is served, and a renewal renamed into place is picked up with no failed request")
    func certificateFilesReloadUnderLoad() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        try kit.writeState("relay.json", #"{"version": 1, "limits": {"newConnectionsPerSecondPerIP": 100000}}"#)
        let agent = try await self.agent(kit)
        let dir = kit.directory
        // A test CA, and a wildcard leaf it signs (certbot's fullchain.pem / privkey.pem).
        func issue(serial: String) async throws {
            let script = """
            set -e
            cd '\(dir)'
            [ -e ca.pem ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca 2>/dev/null
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout new.key -out new.csr -subj '/CN=*.burrow.test' 2>/dev/null
            printf 'subjectAltName=DNS:*.burrow.test\\n' > ext.cnf
            openssl x509 -req -in new.csr -CA ca.pem -CAkey ca.key -set_serial \(serial) -days 2 -extfile ext.cnf -out new.pem 2>/dev/null
            cat new.pem ca.pem > new-chain.pem
            mv new.key tls.key.tmp && mv new-chain.pem tls.pem && mv tls.key.tmp tls.key
            """
            let made = try await TestProcess.run("sh", ["-c", script])
            #expect(made.exitStatus == 0, "\(made.stderr)")
        }
        try await issue(serial: "1001")
        let (serve, _, _, tlsPort) = try await serveWeb(
            kit, ["--domain", "burrow.test", "--http-port", "0", "--tls-cert", dir + "/tls.pem", "--tls-key", dir + "/tls.key"], agent)
        #expect(serve.stdout.contains("http mappings terminated, certificate \(dir)/tls.pem"))
        let url = "https://web.burrow.test:\(tlsPort)/"
        let resolve = ["--cacert", dir + "/ca.pem", "--resolve", "web.burrow.test:\(tlsPort):127.0.0.1"]
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while try await kit.curl(url, resolve, timeout: 5).status != 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        func servedSerial() async throws -> String {
            let probe = try await TestProcess.run("sh", ["-c", "echo | openssl s_client -connect 127.0.0.1:\(tlsPort) -servername web.burrow.test 2>/dev/null | openssl x509 -noout -serial"])
            return probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await servedSerial() == "serial=03E9")
        // 400 requests, 6 at a time, on new connections, while the files are replaced.
        let load = try TestProcess("sh", ["-c", "seq 400 | xargs -P 6 -I{} curl -s -m 30 -o /dev/null -w '%{http_code}\\n' \(resolve.joined(separator: " ")) \(url) > \(dir)/codes.txt"])
        try await Task.sleep(for: .milliseconds(500))
        try await issue(serial: "1002")
        _ = try await load.wait(timeout: .seconds(300))
        let codes = try String(contentsOfFile: dir + "/codes.txt", encoding: .utf8).split(separator: "\n")
        #expect(codes.count == 400)
        #expect(codes.allSatisfy { $0 == "200" }, "\(Dictionary(grouping: codes, by: { $0 }).mapValues(\.count))")
        // Within the reload interval (5 s) the renewed certificate is the one served.
        let switched = ContinuousClock.now.advanced(by: .seconds(60))
        var serial = ""
        while ContinuousClock.now < switched {
            serial = try await servedSerial()
            if serial == "serial=03EA" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(serial == "serial=03EA", "\(serve.stderr)")
    }

    @Test("--acme-challenge tls-alpn-01: pebble validates on the TLS port itself (RFC 8737), the HTTP port is never asked")
    func acmeTLSALPN01WithPebble() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let agent = try await self.agent(kit)
        let (pebble, _, tlsPort) = try await self.pebble()
        let (serve, _, _, _) = try await serveWeb(kit, [
            "--domain", "burrow.test", "--http-port", "0", "--acme-email", "ops@burrow.test", "--acme-challenge", "tls-alpn-01",
            "--acme-directory", pebble.directoryURL, "--acme-ca-file", pebble.wfeCAFile, "--tls-port", String(tlsPort)], agent)
        _ = try await serve.waitFor("certificate web\\.burrow\\.test: (https ready)", inStderr: true, timeout: .seconds(60))
        let root = try await pebble.issuingRootFile()
        let https = try await kit.curl("https://web.burrow.test:\(tlsPort)/", ["--cacert", root, "--resolve", "web.burrow.test:\(tlsPort):127.0.0.1"])
        #expect(https.status == 200, "\(serve.stderr)\n\(pebble.log)")
        // Nothing listens on the port pebble would use for HTTP-01: the certificate came through TLS-ALPN-01.
        await pebble.stop()
    }

    @Test("bad certificate options are refused with a clear line")
    func badOptions() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        for (arguments, message) in [
            (["--tls-cert", "/nonexistent.pem"], "--tls-cert and --tls-key go together"),
            (["--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"], "cannot read /nonexistent.pem"),
            (["--acme-directory", "https://x/dir"], "need --acme-email"),
            (["--acme-email", "ops", ], "invalid --acme-email 'ops'"),
            (["--acme-email", "a@b.c", "--local-ca"], "choose one certificate source"),
            (["--domain", "example.com", "--local-ca"], "--local-ca signs only names under .localhost"),
        ] {
            let run = try await TestProcess.run(RelayTestKit.burrowBinary, ["serve", "--state-dir", kit.stateDirectory] + arguments)
            #expect(run.exitStatus != 0)
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
    }
}
