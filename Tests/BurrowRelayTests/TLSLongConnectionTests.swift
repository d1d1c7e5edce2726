import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// A TLS-passthrough connection lives as long as it is used: the ClientHello
/// deadline (httpHeadTimeoutSeconds, 10 s) ends with the ClientHello. A real
/// TLS server (python3 `ssl`, a certificate from openssl) behind a stock
/// `ssh -R shop:443:…`, real TLS clients on the relay's TLS port.
@Suite("TLS passthrough: long connections", .spawnsProcesses, .timeLimit(.minutes(10)))
struct TLSLongConnectionTests {
    @Test("a 13 s response and a keep-alive of 8 requests 2 s apart both live past the 10 s ClientHello deadline")
    func connectionsOutliveTheClientHelloDeadline() async throws {
        try await RelayTest.run(configure: { $0.tlsPort = 0 }) { test in
            let kit = test.kit
            let script = try TestScripts.install("tls_long_connection.py", in: kit.directory, as: "tls.py")
            let (cert, key) = (kit.directory + "/cert.pem", kit.directory + "/key.pem")
            let made = try await TestProcess.run("openssl", [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=shop.localhost", "-keyout", key, "-out", cert,
            ])
            #expect(made.exitStatus == 0, "\(made.stderr)")
            let server = kit.track(try TestProcess("python3", ["-u", script, "server", cert, key]))
            let local = try await server.waitFor("PORT (\\d+)\\n")

            #expect(test.configuration.limits.httpHeadTimeoutSeconds == 10)
            let tlsPort = try #require(test.relay.tlsPort)
            _ = try test.ssh(["shop:443:127.0.0.1:\(local)"])
            let deadline = ContinuousClock.now + .seconds(15)
            while await test.running.snapshot().sessions.flatMap(\.forwards).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }

            let client = try await TestProcess.run(
                "python3", ["-u", script, "client", String(tlsPort), "shop.localhost"], timeout: .seconds(60))
            let slow = try #require(client.stdout.firstMatch(of: /SLOW (\S+) ([\d.]+)/), "\(client.stdout) \(client.stderr)")
            #expect(slow.1 == "late", "the 13 s answer: \(client.stdout)")
            let keepalive = try #require(client.stdout.firstMatch(of: /KEEPALIVE (\d+) ([\d.]+)/))
            #expect(Int(keepalive.1) == 8, "requests answered on the kept-alive connection: \(client.stdout)")
            #expect(Double(keepalive.2)! >= 14, "\(client.stdout)")
        }
    }
}
