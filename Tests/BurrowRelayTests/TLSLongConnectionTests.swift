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
    static let script = #"""
        import socket, ssl, sys, threading, time

        mode = sys.argv[1]
        if mode == "server":
            # Line protocol: "slow N" answers "late" after N seconds; anything else is echoed as "pong ...".
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[2], sys.argv[3])
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            print("PORT", listener.getsockname()[1], flush=True)

            def serve(connection):
                try:
                    with context.wrap_socket(connection, server_side=True) as tls:
                        lines = tls.makefile("rb")
                        for line in lines:
                            command = line.strip()
                            if command.startswith(b"slow "):
                                time.sleep(float(command[5:]))
                                tls.sendall(b"late\n")
                            else:
                                tls.sendall(b"pong " + command + b"\n")
                except (OSError, ssl.SSLError):
                    pass

            while True:
                connection, _ = listener.accept()
                threading.Thread(target=serve, args=(connection,), daemon=True).start()
        elif mode == "client":
            port, name = int(sys.argv[2]), sys.argv[3]
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            results = {}

            def connect():
                raw = socket.create_connection(("127.0.0.1", port), timeout=30)
                return context.wrap_socket(raw, server_hostname=name)

            def slow():
                start = time.time()
                try:
                    tls = connect()
                    tls.sendall(b"slow 13\n")
                    answer = tls.makefile("rb").readline().strip()
                    results["slow"] = "%s %.1f" % (answer.decode() or "closed", time.time() - start)
                except (OSError, ssl.SSLError) as error:
                    results["slow"] = "error %.1f %s" % (time.time() - start, type(error).__name__)

            def keepalive():
                start, answered = time.time(), 0
                try:
                    tls = connect()
                    lines = tls.makefile("rb")
                    for index in range(8):
                        tls.sendall(b"ping %d\n" % index)
                        if lines.readline().strip() != b"pong ping %d" % index:
                            break
                        answered += 1
                        time.sleep(2)
                except (OSError, ssl.SSLError):
                    pass
                results["keepalive"] = "%d %.1f" % (answered, time.time() - start)

            threads = [threading.Thread(target=slow), threading.Thread(target=keepalive)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            print("SLOW", results["slow"], flush=True)
            print("KEEPALIVE", results["keepalive"], flush=True)
        """#

    @Test("a 13 s response and a keep-alive of 8 requests 2 s apart both live past the 10 s ClientHello deadline")
    func connectionsOutliveTheClientHelloDeadline() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let script = kit.directory + "/tls.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let (cert, key) = (kit.directory + "/cert.pem", kit.directory + "/key.pem")
        let made = try await TestProcess.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=shop.localhost", "-keyout", key, "-out", cert,
        ])
        #expect(made.exitStatus == 0, "\(made.stderr)")
        let server = kit.track(try TestProcess("python3", ["-u", script, "server", cert, key]))
        let local = try await server.waitFor("PORT (\\d+)\\n")

        let agentKey = try await kit.makeKey("agent", authorize: true)
        var configuration = kit.relayConfiguration()
        configuration.tlsPort = 0
        #expect(configuration.limits.httpHeadTimeoutSeconds == 10)
        try await withRunningRelay(configuration) { running, relay in
            let tlsPort = try #require(relay.tlsPort)
            _ = try kit.ssh(key: agentKey, sshPort: relay.sshPort, forwards: ["shop:443:127.0.0.1:\(local)"])
            let deadline = ContinuousClock.now + .seconds(15)
            while await running.snapshot().sessions.flatMap(\.forwards).isEmpty, ContinuousClock.now < deadline {
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
