import BurrowTestSupport
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// Issue 11 item 10: a normal Ctrl-C of `burrow up` is not an error, and the
/// embedded relay's own log stays out of stderr unless `--log-level debug`.
@Suite(.spawnsProcesses) struct UpOutputTests {
    @Test(.timeLimit(.minutes(10)), arguments: [false, true])
    func ctrlCIsQuietAndTheRelayLogIsOptIn(debug: Bool) async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let config = try TestDirectory("burrow-up-quiet")
        defer { config.remove() }
        let store = ConfigStore(directory: config.path)
        _ = try store.addMapping(protocol: .http, local: LocalAddress(port: local.port), name: "solo", remotePort: nil, profile: nil, enabled: true)

        let up = try TestProcess(BurrowBinary.path, ["up", "--config-dir", config.path] + (debug ? ["--log-level", "debug"] : []))
        defer { up.stop() }
        let output = try await up.waitForOutput("solo  http://solo.localhost:")
        let url = String(try #require(output.split(separator: "\n").first { $0.hasPrefix("solo  ") }).split(separator: " ")[1])
        // A visitor still open when Ctrl-C comes: the stop lets it finish.
        let page = try await Tools.curl([url + "/"])
        #expect(page.output == "hello from the local service\n")
        #expect(up.stop(signal: SIGINT) == 0)
        #expect(!up.text.contains("error"), "\(up.text)")
        #expect(up.text.contains("embedded relay:") == debug, "\(up.text)")
    }
}
