import BurrowTestSupport
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// `burrow up` against a relay that terminates https (`burrow serve
/// --local-ca`): the URL the agent prints (and the TUI shows and `c` copies)
/// is the https one, curl trusting only the local CA gets the page through
/// it, and `--https-redirect` sends plain-http visitors there.
@Suite(.spawnsProcesses) struct UpHTTPSTests {
    /// The relay (its config dir holds the local CA), the agent, and the ports.
    final class Running {
        let local: LocalHTTPServer
        let directories: [TestDirectory]
        let relay: TestProcess
        let up: TestProcess
        let httpPort: Int
        let tlsPort: Int
        /// With `acme`: pebble, whose validation reaches the relay's HTTP port.
        let pebble: Pebble?
        var caFile: String { directories[2].path + "/local-ca.pem" }

        /// `mappings`: name → https redirect on or off; all to one local service.
        /// Certificates from the local CA, or with `acme` from pebble over ACME.
        init(_ mappings: [(String, Bool)], acme: Bool = false) async throws {
            local = try await LocalHTTPServer()
            let config = try TestDirectory("burrow-up-https"), state = try TestDirectory("burrow-serve-https")
            let relayConfig = try TestDirectory("burrow-serve-https-config")
            directories = [config, state, relayConfig]
            let store = ConfigStore(directory: config.path)
            try state.write("authorized_keys", try store.identity(for: nil).publicKeyLine + "\n", mode: 0o600)
            let sshPort = try Ports.free()
            httpPort = try Ports.free()
            tlsPort = try Ports.free()
            pebble = acme ? try await Pebble(httpPort: httpPort, tlsPort: try Ports.free()) : nil
            let certificates = pebble.map { ["--acme-email", "test@example.com", "--acme-directory", $0.directoryURL, "--acme-ca-file", $0.wfeCAFile] }
                ?? ["--local-ca"]
            _ = try store.addProfile(Profile(name: "home", host: "127.0.0.1", sshPort: sshPort))
            for (name, redirect) in mappings {
                _ = try store.addMapping(
                    protocol: .http, local: LocalAddress(port: local.port), name: name, remotePort: nil, profile: nil, enabled: true,
                    httpsRedirect: redirect)
            }
            relay = try TestProcess(BurrowBinary.path, [
                "serve", "--state-dir", state.path, "--config-dir", relayConfig.path, "--bind", "127.0.0.1",
                "--ssh-port", "\(sshPort)", "--http-port", "\(httpPort)", "--tls-port", "\(tlsPort)"] + certificates, output: .combined)
            try await relay.waitForOutput("host key")
            up = try TestProcess(BurrowBinary.path, ["up", "--config-dir", config.path], output: .combined)
            for (name, _) in mappings { _ = try await up.waitForOutput("\(name)  https://\(name).localhost:\(tlsPort)") }
        }

        func stop() async {
            up.stop()
            relay.stop()
            await pebble?.stop()
            local.stop()
            directories.forEach { $0.remove() }
        }
    }

    /// Starts the relay and agent, runs `body`, stops them whatever happens.
    static func with(_ mappings: [(String, Bool)], acme: Bool = false, _ body: (Running) async throws -> Void) async throws {
        let running = try await Running(mappings, acme: acme)
        do {
            try await body(running)
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    @Test(.timeLimit(.minutes(10)))
    func upPrintsTheHTTPSURLAndItServes() async throws {
        try await Self.with([("site", false)]) { running in
            let line = try #require(running.up.text.split(separator: "\n").first { $0.hasPrefix("site  ") })
            let url = String(line.split(separator: " ")[1])
            #expect(url == "https://site.localhost:\(running.tlsPort)")
            // Both URLs, the https one first: `NAME  HTTPS (also HTTP) -> LOCAL`.
            #expect(line == "site  \(url) (also http://site.localhost:\(running.httpPort)) -> 127.0.0.1:\(running.local.port)")
            let page = try await Tools.curl(["--cacert", running.caFile, url + "/"])
            #expect(page.status == 0, "\(page.output)\n\(running.relay.text)")
            #expect(page.output == "hello from the local service\n")
            let plain = try await Tools.curl(["http://site.localhost:\(running.httpPort)/"])
            #expect(plain.output == "hello from the local service\n")
            // The relay says where the certificate stands (the local CA signs at once).
            _ = try await running.up.waitForOutput("site  https ready")
            #expect(!running.up.text.contains("error"), "\(running.up.text)")
        }
    }

    /// A plain-http visitor gets 308 to the https URL (path and query kept),
    /// and curl following it gets the page; a mapping without the option
    /// still serves plain http.
    @Test(.timeLimit(.minutes(10)))
    func httpsRedirectSendsPlainHTTPVisitorsToHTTPS() async throws {
        try await Self.with([("site", true), ("plain", false)]) { running in
            let (httpPort, tlsPort) = (running.httpPort, running.tlsPort)
            let redirect = try await Tools.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://site.localhost:\(httpPort)/echo/hi?x=1"])
            #expect(redirect.output == "308 https://site.localhost:\(tlsPort)/echo/hi?x=1", "\(running.relay.text)")
            let followed = try await Tools.curl(["-L", "--cacert", running.caFile, "http://site.localhost:\(httpPort)/"])
            #expect(followed.output == "hello from the local service\n")
            let plain = try await Tools.curl(["http://plain.localhost:\(httpPort)/"])
            #expect(plain.output == "hello from the local service\n")
        }
    }

    /// ACME: the relay asks pebble for the name's certificate when the
    /// mapping registers; until it is issued the agent hears `https pending`,
    /// then `https ready`, and the URL serves with pebble's certificate.
    @Test(.timeLimit(.minutes(10)))
    func acmeCertificateIsPendingThenReady() async throws {
        try await Self.with([("site", false)], acme: true) { running in
            _ = try await running.up.waitForOutput("site  https pending")
            _ = try await running.up.waitForOutput("site  https ready")
            let root = try await #require(running.pebble).issuingRootFile()
            let page = try await Tools.curl(["--cacert", root, "https://site.localhost:\(running.tlsPort)/"])
            #expect(page.output == "hello from the local service\n", "\(page.output)\n\(running.relay.text)")
            #expect(!running.up.text.contains("error"), "\(running.up.text)")
        }
    }
}
