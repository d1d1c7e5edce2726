import BurrowTestSupport
import Foundation
import Testing

/// The built `burrow serve` binary as a user runs it.
@Suite("burrow serve binary", .spawnsProcesses, .timeLimit(.minutes(10)))
struct RelayBinaryTests {
    @Test("burrow serve: ssh -R works, the fingerprint matches ssh-keygen, SIGTERM exits 0")
    func serveAndStop() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let local = try await kit.site(index: "served by the binary")
        let (serve, sshPort, httpPort) = try await kit.serve()
        let fingerprint = try await serve.waitFor("host key +(SHA256:\\S+)")
        let keygen = try await TestProcess.run("ssh-keygen", ["-l", "-f", kit.stateDirectory + "/host_key"])
        #expect(keygen.stdout.contains(fingerprint))

        _ = try kit.ssh(key: key, sshPort: sshPort, forwards: ["demo:80:127.0.0.1:\(local)"])
        #expect(try await kit.waitUntilServed("http://demo.localhost:\(httpPort)/") == "served by the binary")
        let missing = try await kit.curl("http://missing.localhost:\(httpPort)/")
        #expect(missing.status == 404 && missing.body.contains("missing.localhost"))

        serve.signal(SIGTERM)
        #expect(try await serve.wait(timeout: .seconds(60)) == 0)
        #expect(serve.stderr.contains("SIGTERM: stopping"))
    }

    @Test("SIGTERM lets an open visitor finish, refuses new ones, then exits 0")
    func drainOnSIGTERM() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let echo = try await kit.startEchoServer()
        let (serve, sshPort, httpPort) = try await kit.serve()
        let port = try await RelayTestKit.allocatedPort(kit.ssh(key: key, sshPort: sshPort, forwards: ["0:127.0.0.1:\(echo)"]))

        // A visitor that keeps talking until 1 s after the signal.
        let marker = kit.directory + "/signalled"
        let visitor = kit.track(try TestProcess("python3", ["-u", kit.directory + "/helper.py", "slow-echo-client", String(port), marker]))
        _ = try await visitor.waitFor("CONNECTED")
        try await Task.sleep(for: .milliseconds(300))
        let clock = ContinuousClock()
        let signalled = clock.now
        serve.signal(SIGTERM)
        _ = FileManager.default.createFile(atPath: marker, contents: nil)  // the visitor talks 1 s more
        try await Task.sleep(for: .milliseconds(300))
        // Still draining: checked before the curl below, which may take
        // seconds on a loaded machine while the visitor finishes.
        #expect(serve.isRunning)
        let late = try await kit.curl("http://x.localhost:\(httpPort)/", timeout: 3)
        #expect(late.status == 0)  // the HTTP port no longer accepts

        #expect(try await visitor.wait(timeout: .seconds(20)) == 0)
        #expect(visitor.stdout.contains("OK"), "visitor: \(visitor.stderr)\nrelay: \(serve.stderr)")
        #expect(try await serve.wait(timeout: .seconds(60)) == 0)
        let drained = clock.now - signalled
        // Still running 300 ms after the signal (checked above) and done
        // within the drain timeout; a lower bound would time the test, not the relay.
        #expect(drained < .seconds(10))
        print("burrow serve drained one open visitor and exited \(drained) after SIGTERM")
    }

    @Test("SIGINT (Ctrl-C) stops it too, exit 0")
    func stopOnSIGINT() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let (serve, _, _) = try await kit.serve()
        serve.signal(SIGINT)
        #expect(try await serve.wait(timeout: .seconds(60)) == 0)
        #expect(serve.stderr.contains("SIGINT: stopping"))
    }

    @Test("bad flags get a one-line error naming the value")
    func badFlags() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let ports = try await TestProcess.run(RelayTestKit.burrowBinary, ["serve", "--state-dir", kit.stateDirectory, "--ports", "30-20"])
        #expect(ports.exitStatus != 0)
        #expect(ports.stderr.contains("invalid --ports '30-20'"))
        let domain = try await TestProcess.run(RelayTestKit.burrowBinary, ["serve", "--state-dir", kit.stateDirectory, "--domain", "bad_domain"])
        #expect(domain.exitStatus != 0)
        #expect(domain.stderr.contains("invalid --domain 'bad_domain'"))
    }

    @Test("a port already in use is a clear start-up error, exit 1")
    func portInUse() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let (_, sshPort, _) = try await kit.serve()
        let second = try await TestProcess.run(
            RelayTestKit.burrowBinary,
            ["serve", "--state-dir", kit.directory + "/state2", "--bind", "127.0.0.1", "--ssh-port", String(sshPort), "--http-port", "0"])
        #expect(second.exitStatus == 1)
        #expect(second.stderr.contains("cannot listen for SSH on 127.0.0.1:\(sshPort)"))
    }
}
