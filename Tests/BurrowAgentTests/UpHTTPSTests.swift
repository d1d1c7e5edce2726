import BurrowTestSupport
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// `burrow up` against a relay that terminates https (`burrow serve
/// --local-ca`): the URL the agent prints (and the TUI shows and `c` copies)
/// is the https one, and curl trusting only the local CA gets the page
/// through it; the request list records it like any other.
@Suite(.spawnsProcesses) struct UpHTTPSTests {
    @Test(.timeLimit(.minutes(10)))
    func upPrintsTheHTTPSURLAndItServes() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let config = try TestDirectory("burrow-up-https")
        let state = try TestDirectory("burrow-serve-https")
        let relayConfig = try TestDirectory("burrow-serve-config")
        defer { config.remove(); state.remove(); relayConfig.remove() }
        let store = ConfigStore(directory: config.path)
        let identity = try store.identity(for: nil)
        try state.write("authorized_keys", identity.publicKeyLine + "\n", mode: 0o600)
        let sshPort = try Ports.free()
        let tlsPort = try Ports.free()
        _ = try store.addProfile(Profile(name: "home", host: "127.0.0.1", sshPort: sshPort))
        _ = try store.addMapping(protocol: .http, local: LocalAddress(port: local.port), name: "site", remotePort: nil, profile: nil, enabled: true)

        let relay = try TestProcess(BurrowBinary.path, [
            "serve", "--state-dir", state.path, "--config-dir", relayConfig.path, "--bind", "127.0.0.1",
            "--ssh-port", "\(sshPort)", "--http-port", "0", "--tls-port", "\(tlsPort)", "--local-ca"])
        defer { relay.stop() }
        try await relay.waitForOutput("host key")

        let up = try TestProcess(BurrowBinary.path, ["up", "--config-dir", config.path])
        defer { up.stop() }
        let output = try await up.waitForOutput("site  https://site.localhost:\(tlsPort)")
        let url = String(try #require(output.split(separator: "\n").first { $0.hasPrefix("site  ") }).split(separator: " ")[1])
        #expect(url == "https://site.localhost:\(tlsPort)")
        let page = try await Tools.curl(["--cacert", relayConfig.path + "/local-ca.pem", url + "/"])
        #expect(page.status == 0, "\(page.output)\n\(relay.text)")
        #expect(page.output == "hello from the local service\n")
    }

    /// `--https-redirect`: a plain-http visitor gets 308 to the https URL
    /// (path and query kept), and curl following it gets the page.
    @Test(.timeLimit(.minutes(10)))
    func httpsRedirectSendsPlainHTTPVisitorsToHTTPS() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let config = try TestDirectory("burrow-up-redirect")
        let state = try TestDirectory("burrow-serve-redirect")
        let relayConfig = try TestDirectory("burrow-serve-redirect-config")
        defer { config.remove(); state.remove(); relayConfig.remove() }
        let store = ConfigStore(directory: config.path)
        let identity = try store.identity(for: nil)
        try state.write("authorized_keys", identity.publicKeyLine + "\n", mode: 0o600)
        let sshPort = try Ports.free()
        let httpPort = try Ports.free()
        let tlsPort = try Ports.free()
        _ = try store.addProfile(Profile(name: "home", host: "127.0.0.1", sshPort: sshPort))
        _ = try store.addMapping(protocol: .http, local: LocalAddress(port: local.port), name: "site", remotePort: nil, profile: nil, enabled: true, httpsRedirect: true)
        _ = try store.addMapping(protocol: .http, local: LocalAddress(port: local.port), name: "plain", remotePort: nil, profile: nil, enabled: true)

        let relay = try TestProcess(BurrowBinary.path, [
            "serve", "--state-dir", state.path, "--config-dir", relayConfig.path, "--bind", "127.0.0.1",
            "--ssh-port", "\(sshPort)", "--http-port", "\(httpPort)", "--tls-port", "\(tlsPort)", "--local-ca"])
        defer { relay.stop() }
        try await relay.waitForOutput("host key")
        let up = try TestProcess(BurrowBinary.path, ["up", "--config-dir", config.path])
        defer { up.stop() }
        _ = try await up.waitForOutput("site  https://site.localhost:\(tlsPort)")
        _ = try await up.waitForOutput("plain  https://plain.localhost:\(tlsPort)")

        let redirect = try await Tools.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://site.localhost:\(httpPort)/echo/hi?x=1"])
        #expect(redirect.output == "308 https://site.localhost:\(tlsPort)/echo/hi?x=1", "\(relay.text)")
        let followed = try await Tools.curl(["-L", "--cacert", relayConfig.path + "/local-ca.pem", "http://site.localhost:\(httpPort)/"])
        #expect(followed.output == "hello from the local service\n")
        // A mapping without the option still serves plain http.
        let plain = try await Tools.curl(["http://plain.localhost:\(httpPort)/"])
        #expect(plain.output == "hello from the local service\n")
    }
}
