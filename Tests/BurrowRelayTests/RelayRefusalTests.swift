import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// What the relay refuses, and how it says so.
@Suite("Relay refusals", .spawnsProcesses, .timeLimit(.minutes(10)))
struct RelayRefusalTests {
    @Test("ssh -L / -W (direct-tcpip) is refused: the relay is not a proxy")
    func directTCPIPRefused() async throws {
        try await RelayTest.run { test in
            let local = try await test.kit.startHTTPServer(root: test.kit.directory)
            // `ssh -W` opens the same direct-tcpip channel as `ssh -L` does
            // per connection, at once and without a local port to race for.
            let ssh = try test.ssh([], extra: ["-W", "127.0.0.1:\(local)"])
            #expect(try await ssh.wait(timeout: .seconds(20)) == 255)
            #expect(ssh.stderr.contains("open failed"))
            #expect(test.log.text.contains("ssh -L to 127.0.0.1:\(local) refused: this relay is not a proxy"))
        }
    }

    @Test("a key not in authorized_keys is refused; adding it lets it in without a restart")
    func unknownKeyRefused() async throws {
        // The "agent" key is the known one.
        try await RelayTest.run { test in
            let stranger = try await test.kit.makeKey("stranger", authorize: false)
            let refused = try test.ssh(key: stranger, ["x:80:127.0.0.1:9"])
            #expect(try await refused.wait(timeout: .seconds(20)) == 255)
            #expect(refused.stderr.contains("Permission denied (publickey)"))

            try test.kit.authorize(publicKeyOf: stranger)
            let admitted = try test.ssh(key: stranger, ["x:80:127.0.0.1:9"], command: "burrow-control")
            _ = try await admitted.waitFor("\"type\":\"forwarded\"")
        }
    }

    @Test("--allow-any-key lets an unlisted key in")
    func allowAnyKey() async throws {
        // The "agent" key is not authorized: a stranger.
        try await RelayTest.run(authorizeKey: false, configure: { $0.allowAnyKey = true }) { test in
            let ssh = try test.ssh(["open:80:127.0.0.1:9"], command: "burrow-control")
            _ = try await ssh.waitFor("\"url\":\"http://open\\.localhost")
        }
    }

    @Test("a name held by another key is refused, with the reason on the control channel")
    func nameHeldByAnotherKey() async throws {
        // The "agent" key is alice's.
        try await RelayTest.run { test in
            let bob = try await test.kit.makeKey("bob", authorize: true)
            let local = try await test.kit.startHTTPServer(root: test.kit.directory)
            let first = try test.ssh(["shared:80:127.0.0.1:\(local)"])
            _ = try await test.kit.waitUntilServed(test.url("shared"))

            let second = try test.ssh(key: bob, ["shared:80:127.0.0.1:\(local)"])
            #expect(try await second.wait(timeout: .seconds(20)) == 255)
            #expect(second.stderr.contains("remote port forwarding failed"))

            let control = try test.ssh(key: bob, ["shared:80:127.0.0.1:\(local)"], exitOnForwardFailure: false, command: "burrow-control")
            let refusal = try await control.waitFor("(\\{\"bindHost\":\"shared\"[^\\n]*\"type\":\"refused\"\\})")
            #expect(refusal.contains("reserved by another key"))
            // Still alice's after the attempts, and still served.
            first.kill()
            try await Task.sleep(for: .milliseconds(200))
            let offline = try await test.kit.curl(test.url("shared"))
            #expect(offline.status == 502)
        }
    }

    @Test("a TCP port outside --ports is refused")
    func portOutsideRange() async throws {
        try await RelayTest.run { test in
            let configuration = test.configuration
            let outside = configuration.portRange.upperBound + 7
            let ssh = try test.ssh(["\(outside):127.0.0.1:9"])
            #expect(try await ssh.wait(timeout: .seconds(20)) == 255)
            #expect(ssh.stderr.contains("remote port forwarding failed for listen port \(outside)"))

            let control = try test.ssh(["\(outside):127.0.0.1:9"], exitOnForwardFailure: false, command: "burrow-control")
            let refusal = try await control.waitFor("(\\{[^\\n]*\"type\":\"refused\"\\})")
            #expect(refusal.contains("outside this relay's range \(configuration.portRange.lowerBound)-\(configuration.portRange.upperBound)"))
        }
    }

    @Test("unknown host → 404 naming it; reserved name with its agent gone → 502 offline")
    func notFoundAndOffline() async throws {
        try await RelayTest.run { test in
            let (kit, relay) = (test.kit, test.relay)
            let local = try await kit.startHTTPServer(root: kit.directory)
            let unknown = try await kit.curl(test.url("nobody-here"))
            #expect(unknown.status == 404)
            #expect(unknown.body.contains("nobody-here.localhost"))
            let foreign = try await kit.curl("http://127.0.0.1:\(relay.httpPort)/", ["-H", "Host: example.org"])
            #expect(foreign.status == 404 && foreign.body.contains("example.org"))

            let ssh = try test.ssh(["gone:80:127.0.0.1:\(local)"])
            _ = try await kit.waitUntilServed(test.url("gone"))
            ssh.kill()
            // The relay notices the dropped connection at once (TCP FIN); bounded poll.
            var status = 0
            var body = ""
            for _ in 0..<50 where status != 502 {
                (status, body) = try await kit.curl(test.url("gone"))
                if status != 502 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(status == 502)
            #expect(body.contains("offline"))
        }
    }

    @Test("the same key asking again for its name from a new connection takes it over")
    func sameKeyTakesOver() async throws {
        try await RelayTest.run { test in
            let kit = test.kit
            let oldLocal = try await kit.site("old", index: "old")
            let newLocal = try await kit.site("new", index: "new")
            let url = test.url("mine")
            let old = try test.ssh(["mine:80:127.0.0.1:\(oldLocal)"])
            #expect(try await kit.waitUntilServed(url) == "old")
            _ = try test.ssh(["mine:80:127.0.0.1:\(newLocal)"])
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
