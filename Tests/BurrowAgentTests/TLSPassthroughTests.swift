import BurrowCertificates
import BurrowTestSupport
import BurrowAgent
import BurrowCore
import Foundation
import Testing

/// A TLS mapping end to end: `openssl s_server` with a self-signed
/// certificate on the "PC", the relay routing by SNI on its TLS port, curl
/// and `openssl s_client` as visitors. The certificate they see is the PC's.
@Suite(.spawnsProcesses, .serialized, .timeLimit(.minutes(10))) struct TLSPassthroughTests {
    @Test func curlReachesTheLocalTLSServerAndSeesItsCertificate() async throws {
        let directory = try TestDirectory("burrow-tls")
        defer { directory.remove() }
        let (server, localPort) = try await startPCServer(in: directory)
        defer { server.stop() }
        let fingerprint = try await TestProcess.run("/usr/bin/env", [
            "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", directory.file("cert.pem"),
        ]).text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(fingerprint.hasPrefix("sha256 Fingerprint=") || fingerprint.hasPrefix("SHA256 Fingerprint="))

        let relay = try await RelayFixture.start(tlsPort: 0)
        try await relay.withAgent(mappings: [Mapping(name: "shop", protocol: .tls, local: LocalAddress(port: localPort))]) { agent in
            let url = try await agent.watcher.online("shop")
            let tlsPort = try #require(relay.endpoints.tlsPort)
            #expect(url.description == "https://shop.localhost:\(tlsPort)")

            let page = try await Tools.curl([
                "-v", "-k", "--resolve", "shop.localhost:\(tlsPort):127.0.0.1", "https://shop.localhost:\(tlsPort)/",
            ])
            #expect(page.status == 0, "\(page.output)")
            #expect(page.output.contains("s_server"))  // openssl's -www status page
            #expect(page.output.contains("CN=shop.localhost"))
            #expect(page.output.contains("O=Burrow PC"))

            // The exact certificate, by SHA-256 fingerprint, as another real client sees it.
            let seen = try await TestProcess.run("/bin/sh", ["-c", """
                openssl s_client -connect 127.0.0.1:\(tlsPort) -servername shop.localhost </dev/null 2>/dev/null \
                | openssl x509 -noout -fingerprint -sha256
                """])
            #expect(seen.text.trimmingCharacters(in: .whitespacesAndNewlines) == fingerprint)

            // An unknown name or no SNI at all: closed, never sent to a default.
            let unknown = try await Tools.curl([
                "-k", "--resolve", "nope.localhost:\(tlsPort):127.0.0.1", "https://nope.localhost:\(tlsPort)/",
            ])
            #expect(unknown.status != 0)
            let noSNI = try await TestProcess.run("/bin/sh", ["-c", """
                openssl s_client -connect 127.0.0.1:\(tlsPort) -noservername </dev/null 2>&1 | grep -c 'BEGIN CERTIFICATE' || true
                """])
            #expect(noSNI.text.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }

    /// A relay that both terminates (an http mapping, local CA) and passes
    /// through (a tls mapping) on one TLS port: the SNI decides, never the
    /// Host inside. SNI of the passthrough name with the http mapping's Host
    /// reaches the PC's own TLS server; SNI of the terminated name with the
    /// passthrough name's Host gets 421.
    @Test func theSNIDecidesNotTheHostInside() async throws {
        let directory = try TestDirectory("burrow-tls-both")
        defer { directory.remove() }
        let (server, localPort) = try await startPCServer(in: directory)
        defer { server.stop() }
        let web = try await LocalHTTPServer()
        defer { web.stop() }
        let authority = try LocalCertificateAuthority.loadOrCreate(directory: directory.path)
        let relay = try await RelayFixture.start(
            tlsPort: 0,
            certificates: CertificateManager(source: .localAuthority(authority), stateDirectory: directory.path + "/state"))
        try await relay.withAgent(mappings: [
            Mapping(name: "shop", protocol: .tls, local: LocalAddress(port: localPort)),
            Mapping(name: "web", protocol: .http, local: LocalAddress(port: web.port)),
        ]) { agent in
            _ = try await agent.watcher.online("shop")
            _ = try await agent.watcher.online("web")
            let tlsPort = try #require(relay.endpoints.tlsPort)
            // Passthrough SNI, terminated name in Host: the PC's TLS server answers, unopened by the relay.
            let passed = try await Tools.curl([
                "-k", "--resolve", "shop.localhost:\(tlsPort):127.0.0.1", "-H", "Host: web.localhost:\(tlsPort)",
                "https://shop.localhost:\(tlsPort)/",
            ])
            #expect(passed.output.contains("s_server"), "\(passed.output)")
            #expect(!passed.output.contains("hello from the local service"))
            // Terminated SNI, passthrough name in Host: 421, the http mapping's service never asked.
            let misdirected = try await Tools.curl([
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", authority.certificatePath,
                "--resolve", "web.localhost:\(tlsPort):127.0.0.1", "-H", "Host: shop.localhost:\(tlsPort)",
                "https://web.localhost:\(tlsPort)/",
            ])
            #expect(misdirected.output == "421", "\(misdirected.output)")
        }
    }

    /// The PC's own TLS service: `openssl s_server -www` with a self-signed
    /// `shop.localhost` certificate (`cert.pem`, `key.pem` in `directory`).
    private func startPCServer(in directory: TestDirectory) async throws -> (TestProcess, Int) {
        let made = try await TestProcess.run("/usr/bin/env", [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=shop.localhost/O=Burrow PC", "-keyout", directory.file("key.pem"), "-out", directory.file("cert.pem"),
        ])
        #expect(made.exitStatus == 0, "\(made.text)")
        let port = try Ports.free()
        let server = try TestProcess("/usr/bin/env", [
            "openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", directory.file("cert.pem"),
            "-key", directory.file("key.pem"), "-www", "-quiet",
        ], output: .combined)
        do {
            try await waitForTCP(port: port)
        } catch {
            server.stop()
            throw error
        }
        return (server, port)
    }

    /// Waits (bounded) until something accepts on 127.0.0.1:`port`.
    private func waitForTCP(port: Int) async throws {
        for _ in 0..<100 {
            if (try? BlockingSocket(host: "127.0.0.1", port: port)) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("nothing listens on 127.0.0.1:\(port)")
    }
}
