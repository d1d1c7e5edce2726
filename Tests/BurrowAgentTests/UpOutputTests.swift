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
        let config = try BurrowBinary.soloConfig("burrow-up-quiet", port: local.port)
        defer { config.remove() }

        let up = try TestProcess(BurrowBinary.path, ["up", "--config-dir", config.path] + (debug ? ["--log-level", "debug"] : []), output: .combined)
        defer { up.stop() }
        let url = String(try await BurrowBinary.soloLine(up).split(separator: " ")[1])
        // A visitor still open when Ctrl-C comes: the stop lets it finish.
        let page = try await Tools.curl([url + "/"])
        #expect(page.output == "hello from the local service\n")
        #expect(up.stop(signal: SIGINT) == 0)
        #expect(!up.text.contains("error"), "\(up.text)")
        #expect(up.text.contains("embedded relay:") == debug, "\(up.text)")
    }
}
