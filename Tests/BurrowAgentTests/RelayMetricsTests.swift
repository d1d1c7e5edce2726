import BurrowTestSupport
import BurrowAgent
import BurrowCore
import Foundation
import Testing

/// The relay's `/metrics` (swift-prometheus) parsed by prometheus_client's
/// parser, before and after real traffic; and `/healthz`.
@Suite(.spawnsProcesses, .serialized, .timeLimit(.minutes(10))) struct RelayMetricsTests {
    @Test func metricsParseAsPrometheusTextAndMoveWithTraffic() async throws {
        let http = try await PythonService("http")
        defer { http.stop() }
        let relay = try await RelayFixture.start(metricsPort: 0)
        let agent = try AgentFixture(relay: relay, mappings: [
            .http("web", http.port),
            Mapping(name: "locked", protocol: .http, local: LocalAddress(port: http.port), allow: [try CIDR(parsing: "10.0.0.0/8")]),
        ], connections: 1)  // the gauges count SSH connections
        try await withCleanup {
            let metricsPort = try #require(relay.endpoints.metricsPort)
            let metricsURL = "http://127.0.0.1:\(metricsPort)/metrics"
            let health = try await Tools.curl(["-i", "http://127.0.0.1:\(metricsPort)/healthz"])
            #expect(health.output.hasPrefix("HTTP/1.1 200 OK"))
            #expect(health.output.hasSuffix("ok\n"))

            let empty = try await Self.samples(metricsURL)
            #expect(empty["burrow_agents_online{}"] == 0)
            #expect(empty["burrow_visitors_total{protocol=http}"] == 0)

            await agent.start()
            let url = try await agent.watcher.online("web")
            _ = try await agent.watcher.online("locked")
            for _ in 0..<3 { #expect(try await Tools.curl(["\(url)/"]).status == 0) }
            let port = relay.endpoints.httpPort
            _ = try await Tools.curl(["-H", "Host: nobody.localhost:\(port)", "http://127.0.0.1:\(port)/"])
            _ = try await Tools.curl(["-H", "Host: locked.localhost:\(port)", "http://127.0.0.1:\(port)/"])

            // The relay closes its side of each visitor a moment after curl leaves.
            let after = try await Self.samples(metricsURL, until: { $0["burrow_visitors_open{}"] == 0 })
            #expect(after["burrow_agents_online{}"] == 1)
            #expect(after["burrow_ssh_handshakes_total{result=accepted}"] == 1)
            #expect(after["burrow_mappings_active{protocol=http}"] == 2)
            #expect(after["burrow_mappings_active{protocol=udp}"] == 0)
            #expect(after["burrow_visitors_total{protocol=http}"] == 3)
            #expect(after["burrow_visitors_open{}"] == 0)
            #expect((after["burrow_bytes_in_total{}"] ?? 0) > 150)
            #expect((after["burrow_bytes_out_total{}"] ?? 0) > 300)
            #expect(after["burrow_refusals_total{reason=unknown_name}"] == 1)
            #expect(after["burrow_refusals_total{reason=address_not_allowed}"] == 1)

            await agent.stop(removeDirectory: false)
            let gone = try await Self.samples(metricsURL, until: { $0["burrow_agents_online{}"] == 0 })
            #expect(gone["burrow_agents_online{}"] == 0)
            #expect(gone["burrow_mappings_active{protocol=http}"] == 0)
        } cleanup: {
            await agent.stop()
            await relay.stop()
        }
    }

    /// Scrapes until `done` holds (bounded: 10 s, then returns the last scrape).
    static func samples(_ url: String, until done: ([String: Double]) -> Bool) async throws -> [String: Double] {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let samples = try await samples(url)
            if done(samples) || ContinuousClock.now > deadline { return samples }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func samples(_ url: String) async throws -> [String: Double] {
        let parsed = try await PythonService.client(["metrics", url])
        let samples = try #require(parsed["samples"] as? [String: Any])
        let types = try #require(parsed["types"] as? [String: String])
        #expect(types["burrow_visitors"] == "counter" || types["burrow_visitors_total"] == "counter", "\(types)")
        #expect(types["burrow_agents_online"] == "gauge", "\(types)")
        return samples.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}
