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
        let made = try await TestProcess.run("/usr/bin/env", [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=shop.localhost/O=Burrow PC", "-keyout", directory.file("key.pem"), "-out", directory.file("cert.pem"),
        ])
        #expect(made.status == 0, "\(made.output)")
        let fingerprint = try await TestProcess.run("/usr/bin/env", [
            "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", directory.file("cert.pem"),
        ]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(fingerprint.hasPrefix("sha256 Fingerprint=") || fingerprint.hasPrefix("SHA256 Fingerprint="))

        let localPort = try Ports.free()
        let server = try TestProcess("/usr/bin/env", [
            "openssl", "s_server", "-accept", "127.0.0.1:\(localPort)", "-cert", directory.file("cert.pem"),
            "-key", directory.file("key.pem"), "-www", "-quiet",
        ])
        defer { server.stop() }
        try await waitForTCP(port: localPort)

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
            #expect(seen.output.trimmingCharacters(in: .whitespacesAndNewlines) == fingerprint)

            // An unknown name or no SNI at all: closed, never sent to a default.
            let unknown = try await Tools.curl([
                "-k", "--resolve", "nope.localhost:\(tlsPort):127.0.0.1", "https://nope.localhost:\(tlsPort)/",
            ])
            #expect(unknown.status != 0)
            let noSNI = try await TestProcess.run("/bin/sh", ["-c", """
                openssl s_client -connect 127.0.0.1:\(tlsPort) -noservername </dev/null 2>&1 | grep -c 'BEGIN CERTIFICATE' || true
                """])
            #expect(noSNI.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
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
