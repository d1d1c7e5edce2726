import BurrowTestSupport
import BurrowConfig
import BurrowRelay
import Foundation
import Testing

/// The same key reconnecting takes over its names and ports at once, even
/// while its old connection still looks alive (no "name unavailable" after an
/// unclean disconnect). Stock OpenSSH clients; the old one reaches the relay
/// through a proxy that the test freezes (SIGSTOP): no FIN, no RST.
@Suite("Same-key takeover", .spawnsProcesses, .timeLimit(.minutes(10)))
struct TakeoverTests {
    @Test("a frozen connection's HTTP name and TCP port go to the same key's new connection at once")
    func takeoverWhileTheOldConnectionIsFrozen() async throws {
        // Its own dead-connection detector would take 5 minutes: not what frees the names here.
        try await RelayTest.run(configure: { $0.limits.sshKeepaliveTimeoutSeconds = 300 }) { test in
            let (kit, key, relay, log) = (test.kit, test.key, test.relay, test.log)
            let tcpPort = test.configuration.portRange.lowerBound + 3
            let oldSite = try await kit.site("old", index: "old\n")
            let newSite = try await kit.site("new", index: "new\n")
            let echo = try await kit.startEchoServer()
            let script = try HostileClient.install(in: kit)
            let proxy = kit.track(try TestProcess("python3", ["-u", script, "proxy", "0", String(relay.sshPort)]))
            let proxyPort = Int(try await proxy.waitFor("PORT (\\d+)\\n"))!
            let forwards = ["site:80:127.0.0.1:\(oldSite)", "shell:\(tcpPort):127.0.0.1:\(echo)"]
            let old = try kit.ssh(key: key, sshPort: proxyPort, forwards: forwards)
            let url = test.url("site", "/index.html")
            #expect(try await kit.waitUntilServed(url) == "old\n")

            kill(proxy.pid, SIGSTOP)
            defer { kill(proxy.pid, SIGCONT) }
            let started = ContinuousClock.now
            let new = try kit.ssh(
                key: key, sshPort: relay.sshPort, forwards: ["site:80:127.0.0.1:\(newSite)", "shell:\(tcpPort):127.0.0.1:\(echo)"])
            do {
                #expect(try await kit.waitUntilServed(url, timeout: .seconds(20)) == "new\n")
            } catch {
                let ss = try await TestProcess.run("ss", ["-tanpe"])
                Issue.record("\(error)\nrelay log:\n\(log.text)\nnew ssh: \(new.stderr)\nss: \(ss.stdout.split(separator: "\n").filter { $0.contains(":\(tcpPort)") }.joined(separator: "\n"))")
                return
            }
            // Long before any keepalive could have noticed the old one (300 s here).
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(new.isRunning, "the new connection's forwards were refused: \(new.stderr)")
            #expect(try await kit.echoExchange(port: tcpPort, count: 10_000))
            // (The old ssh gives up by itself after ServerAliveInterval × 3; the relay never had to.)
            _ = old
        }
    }
}
