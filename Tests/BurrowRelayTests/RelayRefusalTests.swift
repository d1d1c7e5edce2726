import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// What the relay refuses, and how it says so.
@Suite("Relay refusals", .spawnsProcesses, .timeLimit(.minutes(10)))
struct RelayRefusalTests {
    @Test("ssh -L / -W (direct-tcpip) is refused: the relay is not a proxy")
    func directTCPIPRefused() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let local = try await kit.startHTTPServer(root: kit.directory)
        let log = LogCollector()
        var configuration = kit.relayConfiguration()
        configuration.log = log.sink
        try await withRelay(configuration) { relay in
            // `ssh -W` opens the same direct-tcpip channel as `ssh -L` does
            // per connection, at once and without a local port to race for.
            let ssh = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: [], extra: ["-W", "127.0.0.1:\(local)"])
            #expect(try await ssh.wait(timeout: .seconds(20)) == 255)
            #expect(ssh.stderr.contains("open failed"))
            #expect(log.text.contains("ssh -L to 127.0.0.1:\(local) refused: this relay is not a proxy"))
        }
    }

    @Test("a key not in authorized_keys is refused; adding it lets it in without a restart")
    func unknownKeyRefused() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        _ = try await kit.makeKey("known", authorize: true)
        let stranger = try await kit.makeKey("stranger", authorize: false)
        try await withRelay(kit.relayConfiguration()) { relay in
            let refused = try kit.ssh(key: stranger, sshPort: relay.sshPort, forwards: ["x:80:127.0.0.1:9"])
            #expect(try await refused.wait(timeout: .seconds(20)) == 255)
            #expect(refused.stderr.contains("Permission denied (publickey)"))

            try kit.authorize(publicKeyOf: stranger)
            let admitted = try kit.ssh(key: stranger, sshPort: relay.sshPort, forwards: ["x:80:127.0.0.1:9"], command: "burrow-control")
            _ = try await admitted.waitFor("\"type\":\"forwarded\"")
        }
    }

    @Test("--allow-any-key lets an unlisted key in")
    func allowAnyKey() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let stranger = try await kit.makeKey("stranger", authorize: false)
        var configuration = kit.relayConfiguration()
        configuration.allowAnyKey = true
        try await withRelay(configuration) { relay in
            let ssh = try kit.ssh(key: stranger, sshPort: relay.sshPort, forwards: ["open:80:127.0.0.1:9"], command: "burrow-control")
            _ = try await ssh.waitFor("\"url\":\"http://open\\.localhost")
        }
    }

    @Test("a name held by another key is refused, with the reason on the control channel")
    func nameHeldByAnotherKey() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let alice = try await kit.makeKey("alice", authorize: true)
        let bob = try await kit.makeKey("bob", authorize: true)
        let local = try await kit.startHTTPServer(root: kit.directory)
        try await withRelay(kit.relayConfiguration()) { relay in
            let first = try kit.ssh(key: alice, sshPort: relay.sshPort, forwards: ["shared:80:127.0.0.1:\(local)"])
            _ = try await kit.waitUntilServed("http://shared.localhost:\(relay.httpPort)/")

            let second = try kit.ssh(key: bob, sshPort: relay.sshPort, forwards: ["shared:80:127.0.0.1:\(local)"])
            #expect(try await second.wait(timeout: .seconds(20)) == 255)
            #expect(second.stderr.contains("remote port forwarding failed"))

            let control = try kit.ssh(
                key: bob, sshPort: relay.sshPort, forwards: ["shared:80:127.0.0.1:\(local)"], exitOnForwardFailure: false,
                command: "burrow-control")
            let refusal = try await control.waitFor("(\\{\"bindHost\":\"shared\"[^\\n]*\"type\":\"refused\"\\})")
            #expect(refusal.contains("reserved by another key"))
            // Still alice's after the attempts, and still served.
            first.kill()
            try await Task.sleep(for: .milliseconds(200))
            let offline = try await kit.curl("http://shared.localhost:\(relay.httpPort)/")
            #expect(offline.status == 502)
        }
    }

    @Test("a TCP port outside --ports is refused")
    func portOutsideRange() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let configuration = kit.relayConfiguration()
        try await withRelay(configuration) { relay in
            let outside = configuration.portRange.upperBound + 7
            let ssh = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: ["\(outside):127.0.0.1:9"])
            #expect(try await ssh.wait(timeout: .seconds(20)) == 255)
            #expect(ssh.stderr.contains("remote port forwarding failed for listen port \(outside)"))

            let control = try kit.ssh(
                key: key, sshPort: relay.sshPort, forwards: ["\(outside):127.0.0.1:9"], exitOnForwardFailure: false,
                command: "burrow-control")
            let refusal = try await control.waitFor("(\\{[^\\n]*\"type\":\"refused\"\\})")
            #expect(refusal.contains("outside this relay's range \(configuration.portRange.lowerBound)-\(configuration.portRange.upperBound)"))
        }
    }

    @Test("unknown host → 404 naming it; reserved name with its agent gone → 502 offline")
    func notFoundAndOffline() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let local = try await kit.startHTTPServer(root: kit.directory)
        try await withRelay(kit.relayConfiguration()) { relay in
            let unknown = try await kit.curl("http://nobody-here.localhost:\(relay.httpPort)/")
            #expect(unknown.status == 404)
            #expect(unknown.body.contains("nobody-here.localhost"))
            let foreign = try await kit.curl("http://127.0.0.1:\(relay.httpPort)/", ["-H", "Host: example.org"])
            #expect(foreign.status == 404 && foreign.body.contains("example.org"))

            let ssh = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: ["gone:80:127.0.0.1:\(local)"])
            _ = try await kit.waitUntilServed("http://gone.localhost:\(relay.httpPort)/")
            ssh.kill()
            // The relay notices the dropped connection at once (TCP FIN); bounded poll.
            var status = 0
            var body = ""
            for _ in 0..<50 where status != 502 {
                (status, body) = try await kit.curl("http://gone.localhost:\(relay.httpPort)/")
                if status != 502 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(status == 502)
            #expect(body.contains("offline"))
        }
    }

    @Test("the same key asking again for its name from a new connection takes it over")
    func sameKeyTakesOver() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let oldRoot = kit.directory + "/old"
        let newRoot = kit.directory + "/new"
        for (root, text) in [(oldRoot, "old"), (newRoot, "new")] {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try text.write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        }
        let oldLocal = try await kit.startHTTPServer(root: oldRoot)
        let newLocal = try await kit.startHTTPServer(root: newRoot)
        try await withRelay(kit.relayConfiguration()) { relay in
            let url = "http://mine.localhost:\(relay.httpPort)/"
            let old = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: ["mine:80:127.0.0.1:\(oldLocal)"])
            #expect(try await kit.waitUntilServed(url) == "old")
            _ = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: ["mine:80:127.0.0.1:\(newLocal)"])
            var body = ""
            for _ in 0..<50 where body != "new" {
                body = try await kit.curl(url).body
                if body != "new" { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(body == "new")
            // The old connection leaving does not take the name from the new one.
            old.kill()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await kit.curl(url).body == "new")
        }
    }
}
