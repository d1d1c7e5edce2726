import BurrowTestSupport
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// Issue 11 item 1 through the binaries: `burrow map disable` / `enable`
/// while `burrow up` runs against `burrow serve`, with a sibling mapping on
/// the same tunnel. The mapping comes back at the same URL and serves.
@Suite(.spawnsProcesses) struct MapToggleBinaryTests {
    @Test(.timeLimit(.minutes(10)))
    func mapDisableThenEnableWhileUpRunsServesTheSameURL() async throws {
        let local = try await LocalHTTPServer()
        defer { local.stop() }
        let pair = try BinaryRelayAndAgent("burrow-toggle")
        defer { pair.remove() }
        try pair.add(.http, "site", port: local.port)
        try pair.add(.http, "shop", port: local.port)
        let config = pair.config
        let (_, up) = try await pair.start(reporting: ["site", "shop"])
        let siteURL = "http://site.localhost:\(pair.httpPort)"

        for round in 1...2 {
            let disable = try await TestProcess.run(BurrowBinary.path, ["map", "disable", "site", "--config-dir", config.path])
            #expect(disable.exitStatus == 0, "\(disable.text)")
            let gone = ContinuousClock.now + .seconds(10)
            while Self.removals(of: "site", in: up.text) < round, ContinuousClock.now < gone {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(Self.removals(of: "site", in: up.text) == round, "round \(round): the disable was not applied:\n\(up.text)")
            let enable = try await TestProcess.run(BurrowBinary.path, ["map", "enable", "site", "--config-dir", config.path])
            #expect(enable.exitStatus == 0, "\(enable.text)")
            let back = ContinuousClock.now + .seconds(10)
            while BurrowBinary.onlineURLs(up.text).filter({ $0.name == "site" }).count < round + 1, ContinuousClock.now < back {
                try await Task.sleep(for: .milliseconds(50))
            }
            let sites = BurrowBinary.onlineURLs(up.text).filter { $0.name == "site" }
            #expect(sites.count == round + 1, "round \(round): site not back online:\n\(up.text)")
            #expect(sites.allSatisfy { $0.url == siteURL })
        }
        #expect(!up.text.contains("already forwarded"), "\(up.text)")
        let page = try await Tools.curl([siteURL + "/"])
        #expect(page.output == "hello from the local service\n")
    }

    static func removals(of name: String, in output: String) -> Int {
        BurrowBinary.jsonEvents(output).filter {
            ($0["event"] as? String == "removed" || $0["event"] as? String == "disabled") && $0["name"] as? String == name
        }.count
    }
}
