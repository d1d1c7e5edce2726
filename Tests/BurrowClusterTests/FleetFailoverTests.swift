import BurrowTestSupport
import Foundation
import Testing

/// Three `burrow serve --cluster` members behind HAProxy (TCP mode,
/// round-robin over their HTTP ports, health checks on their `/healthz`),
/// each with a stock `ssh -R` agent of the same key serving one name; `wrk`
/// through HAProxy while one member is `kill -9`ed and later restarted.
@Suite("A fleet behind HAProxy survives a member's kill -9", .spawnsProcesses, .serialized, .tags(.slow))
struct FleetFailoverTests {
    @Test("wrk through HAProxy while a member is killed and restarted: failures only in flight, full service again soon")
    func killOneMember() async throws {
        try await FleetKit.scene { kit, database in
            let alice = try await kit.makeKey("alice")
            let web = try await kit.site(index: "fleet ok")
            let ports = try (0..<3).map { _ in try kit.ports() }
            var members: [TestProcess] = []
            var agents: [TestProcess] = []
            // Every visitor comes from HAProxy's 127.0.0.1: no per-IP rate limit.
            let settings = #"{"version": 1, "limits": {"newConnectionsPerSecondPerIP": 1000000}}"#
            for (index, member) in ports.enumerated() {
                members.append(try await kit.member("m\(index)", cluster: database.url, ports: member, relayJSON: settings))
                agents.append(try kit.ssh(key: alice, port: member.ssh, forwards: ["web:80:127.0.0.1:\(web)"]))
            }
            for member in ports {
                #expect(try await FleetKit.eventually { try await kit.curl(port: member.http, host: "web.localhost").body == "fleet ok" })
            }

            let front = try FreePorts.take(1)[0]
            let config = kit.directory + "/haproxy.cfg"
            try HAProxyConfig.text(front: front, members: ports).write(toFile: config, atomically: true, encoding: .utf8)
            let haproxy = kit.track(try TestProcess("/usr/sbin/haproxy", ["-db", "-f", config]))
            #expect(try await FleetKit.eventually { try await kit.curl(port: front, host: "web.localhost").body == "fleet ok" }, "\(haproxy.stderr)")

            // Keep-alive connections (HAProxy in TCP mode keeps each on one
            // member): the killed member's connections break (wrk counts one
            // error each and reconnects, through HAProxy, to a live member).
            // wrk counts every `Connection: close` as a read error, so that
            // cannot be used to count failures.
            let wrk = kit.track(try TestProcess(
                "wrk", ["-t", "2", "-c", "6", "-d", "12s", "--timeout", "3s", "-H", "Host: web.localhost", "http://127.0.0.1:\(front)/"]))
            try await Task.sleep(for: .seconds(3))
            members[1].kill()
            let killedAt = ContinuousClock.now
            try await Task.sleep(for: .seconds(3))
            members[1] = try await kit.member("m1", cluster: database.url, ports: ports[1], relayJSON: settings)
            let restartedAt = ContinuousClock.now
            // The agent reconnects (a Burrow agent does so by itself within its back-off).
            agents[1].kill()
            agents[1] = try kit.ssh(key: alice, port: ports[1].ssh, forwards: ["web:80:127.0.0.1:\(web)"])
            #expect(try await FleetKit.eventually { try await kit.curl(port: ports[1].http, host: "web.localhost").body == "fleet ok" })
            let servedAgain = ContinuousClock.now
            try await wrk.wait(timeout: .seconds(40))
            let report = WrkReport(wrk.stdout)
            print("""
                fleet failover (3 members behind HAProxy, wrk -c 6 keep-alive for 12 s, member 2 kill -9ed at 3 s, restarted 3 s later): \
                \(report.requests) requests, \(report.non2xx) non-2xx, socket errors \(report.socketErrors) \
                (connect/read/write/timeout); member back in service \(servedAgain - restartedAt) after its restart \
                (\(servedAgain - killedAt) after the kill)
                """)
            #expect(report.requests > 100, "\(wrk.stdout) \(wrk.stderr)")
            // Only requests in flight on the killed member may fail: at most its share of the 6 connections.
            #expect(report.failed <= 6, "\(wrk.stdout)")
            #expect(!members.contains { $0.stderr.contains(database.password) })
        }
    }
}

/// HAProxy in TCP mode over the members' HTTP ports; `/healthz` on each
/// member's metrics port decides who gets traffic; a refused connection
/// is retried on another member.
enum HAProxyConfig {
    static func text(front: Int, members: [FleetKit.Ports]) -> String {
        var text = """
            global
                maxconn 2000
            defaults
                mode tcp
                timeout connect 1s
                timeout client 10s
                timeout server 10s
                retries 3
                option redispatch
            frontend fleet
                bind 127.0.0.1:\(front)
                default_backend members
            backend members
                balance roundrobin
                option httpchk GET /healthz
                default-server inter 200ms fastinter 100ms downinter 200ms fall 2 rise 2

            """
        for (index, member) in members.enumerated() {
            text += "    server m\(index) 127.0.0.1:\(member.http) check port \(member.metrics)\n"
        }
        return text
    }
}

/// The numbers of wrk's report.
struct WrkReport {
    var requests = 0
    var non2xx = 0
    var socketErrors = "0/0/0/0"
    var failed = 0

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.contains("requests in"), let first = words.first, let count = Int(first) { requests = count }
            if line.contains("Non-2xx or 3xx responses:"), let last = words.last, let count = Int(last) {
                non2xx = count
                failed += count
            }
            if line.contains("Socket errors:") {
                // "Socket errors: connect 0, read 3, write 0, timeout 0"
                let numbers = words.compactMap { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: ","))) }
                socketErrors = numbers.map(String.init).joined(separator: "/")
                failed += numbers.reduce(0, +)
            }
        }
    }
}
