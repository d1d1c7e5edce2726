import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// End to end with an in-process relay on loopback (ports chosen by the OS),
/// the stock OpenSSH client as the agent, python3 services and curl visitors.
@Suite("Relay with OpenSSH clients", .spawnsProcesses, .timeLimit(.minutes(10)))
struct RelayOpenSSHTests {
    @Test("ssh -R demo:80 serves http://demo.localhost through the HTTP router")
    func httpForward() async throws {
        try await RelayTest.run { test in
            let (kit, relay) = (test.kit, test.relay)
            let local = try await kit.site(index: "hello from the PC\n")
            // -v: OpenSSH logs each forwarded-tcpip channel's originator.
            let ssh = try test.ssh(["demo:80:127.0.0.1:\(local)"], extra: ["-v"])
            let body = try await kit.waitUntilServed(test.url("demo"))
            #expect(body == "hello from the PC\n")
            // The agent learns the visitor's real address (here 127.0.0.2).
            let visitor = try await kit.curl(
                "http://127.0.0.1:\(relay.httpPort)/", ["--interface", "127.0.0.2", "-H", "Host: demo.localhost"])
            #expect(visitor.status == 200)
            _ = try await ssh.waitFor("listen demo port 80, originator (127\\.0\\.0\\.2) port", inStderr: true)
            // Host header with a different case and no port, sent to 127.0.0.1 directly.
            let upper = try await kit.curl("http://127.0.0.1:\(relay.httpPort)/", ["-H", "Host: DEMO.LocalHost"])
            #expect(upper.status == 200 && upper.body == "hello from the PC\n")
            #expect(ssh.isRunning)
            // Keep-alive: two requests on one connection, both answered.
            let twice = try await TestProcess.run(
                "curl", ["-sv", "-m", "10", "http://demo.localhost:\(relay.httpPort)/", "http://demo.localhost:\(relay.httpPort)/"])
            #expect(twice.stdout == "hello from the PC\nhello from the PC\n")
            #expect(twice.stderr.contains("Re-using existing connection") || twice.stderr.contains("Reusing existing"))
        }
    }

    @Test("an Upgrade (WebSocket-style) connection passes through byte for byte, including bytes sent with the head")
    func upgradePassThrough() async throws {
        try await RelayTest.run { test in
            let (kit, relay) = (test.kit, test.relay)
            let server = kit.track(try TestProcess("python3", ["-u", kit.directory + "/helper.py", "upgrade"]))
            let local = Int(try await server.waitFor("PORT (\\d+)\\n"))!
            let ssh = try test.ssh(["ws:80:127.0.0.1:\(local)"], command: "burrow-control")
            _ = try await ssh.waitFor("\"url\":\"http://ws\\.localhost")
            let client = try await TestProcess.run(
                "python3", [kit.directory + "/helper.py", "upgrade-client", String(relay.httpPort), "ws.localhost:\(relay.httpPort)"])
            #expect(client.stdout.hasPrefix("OK"), "\(client.stdout) \(client.stderr)")
        }
    }
}

extension RelayOpenSSHTests {
    @Test("ssh -R 0:… gets a TCP port from the range that carries an echo exchange with half-close")
    func tcpForward() async throws {
        try await RelayTest.run { test in
            let kit = test.kit
            let (_, port) = try await test.tcpForward(to: try await kit.startEchoServer())
            #expect(test.configuration.portRange.contains(port))
            #expect(try await kit.echoExchange(port: port, count: 300_000))
            #expect(try await kit.echoExchange(port: port, count: 10))

            // The relay counted both visitors and every byte, each way.
            var forward: RelayForwardSnapshot?
            for _ in 0..<50 {
                forward = await test.running.snapshot().sessions.flatMap(\.forwards).first
                if forward?.openVisitors == 0 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(forward?.url.description == "tcp://localhost:\(port)")
            #expect(forward?.totalVisitors == 2)
            #expect(forward?.bytesIn == 300_010)
            #expect(forward?.bytesOut == 300_010)
        }
    }

    @Test("20 MB down and 20 MB up through an HTTP forward arrive with the same SHA-256")
    func largeTransfers() async throws {
        try await RelayTest.run { test in
            let kit = test.kit
            let www = kit.directory + "/www"
            let local = try await kit.site("www", index: "ok")
            try await kit.writeRandomFile(www + "/big.bin", bytes: 20_000_000)
            let expected = try await kit.sha256(ofFile: www + "/big.bin")
            let base = try await test.served("big", by: local)

            let download = kit.directory + "/download.bin"
            let clock = ContinuousClock()
            let downStart = clock.now
            let down = try await TestProcess.run("curl", ["-s", "-f", "-m", "60", "-o", download, base + "/big.bin"], timeout: .seconds(70))
            let downTime = clock.now - downStart
            #expect(down.exitStatus == 0)
            #expect(try await kit.sha256(ofFile: download) == expected)

            let upStart = clock.now
            let up = try await TestProcess.run(
                "curl", ["-s", "-f", "-m", "60", "--data-binary", "@" + www + "/big.bin", "-H", "Content-Type: application/octet-stream", base + "/upload"],
                timeout: .seconds(70))
            let upTime = clock.now - upStart
            #expect(up.stdout == "\(expected) 20000000")
            print("relay 20 MB through ssh -R: down \(downTime), up \(upTime)")
        }
    }

    @Test("50 concurrent visitors all get their own correct bodies")
    func concurrentVisitors() async throws {
        try await RelayTest.run { test in
            let kit = test.kit
            let local = try await kit.site("www", index: "ok")
            for index in 0..<50 {
                try String(repeating: "visitor \(index);", count: 500)
                    .write(toFile: kit.directory + "/www/\(index).txt", atomically: true, encoding: .utf8)
            }
            let base = try await test.served("many", by: local)
            // One curl, 50 parallel transfers (each its own connection).
            var arguments = ["-s", "-f", "-m", "60", "--parallel", "--parallel-max", "50", "-H", "Connection: close"]
            for index in 0..<50 { arguments += ["-o", kit.directory + "/got-\(index).txt", base + "/\(index).txt"] }
            let curl = try await TestProcess.run("curl", arguments, timeout: .seconds(70))
            #expect(curl.exitStatus == 0)
            for index in 0..<50 {
                let got = try String(contentsOfFile: kit.directory + "/got-\(index).txt", encoding: .utf8)
                #expect(got == String(repeating: "visitor \(index);", count: 500))
            }
        }
    }

    @Test("a plain ssh -R session gets a banner listing its URLs; exec burrow-control speaks JSON lines")
    func bannerAndControl() async throws {
        try await RelayTest.run { test in
            let (kit, key, relay) = (test.kit, test.key, test.relay)
            let local = try await kit.startHTTPServer(root: kit.directory)
            // `-T` + no command: a shell request without a pty.
            let shell = try test.ssh(["banner:80:127.0.0.1:\(local)"], extra: ["-T"], command: "")
            let url = try await shell.waitFor("(http://banner\\.localhost:\\d+)")
            #expect(url == "http://banner.localhost:\(relay.httpPort)")

            let control = try test.ssh(["ctl:80:127.0.0.1:\(local)", "0:127.0.0.1:\(local)"], command: "burrow-control")
            _ = try await control.waitFor("\"type\":\"welcome\"")
            let httpLine = try await control.waitFor("(\\{[^\\n]*\"url\":\"http://ctl\\.localhost[^\\n]*\\})")
            #expect(httpLine.contains("\"bindHost\":\"ctl\"") && httpLine.contains("\"bindPort\":80"))
            let tcpLine = try await control.waitFor("(\\{[^\\n]*\"url\":\"tcp://localhost:\\d+\"[^\\n]*\\})")
            #expect(tcpLine.contains("\"bindPort\":0"))

            // Any other command: refused with the reason on stderr, exit 1.
            let command = try test.ssh([], command: "ls /")
            #expect(try await command.wait(timeout: .seconds(20)) == 1)
            #expect(command.stderr.contains("commands are not run here (got 'ls /')"))
            // sftp (a subsystem) is refused too.
            let sftp = try await TestProcess.run(
                "sftp", ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-i", key,
                         "-P", String(relay.sshPort), "tester@127.0.0.1"], timeout: .seconds(20))
            #expect(sftp.exitStatus != 0)
            #expect(sftp.stderr.contains("subsystem request failed"))
        }
    }
}
