import BurrowRelay
import Foundation
import Testing

/// End to end with an in-process relay on loopback (ports chosen by the OS),
/// the stock OpenSSH client as the agent, python3 services and curl visitors.
@Suite("Relay with OpenSSH clients", .timeLimit(.minutes(2)))
struct RelayOpenSSHTests {
    @Test("ssh -R demo:80 serves http://demo.localhost through the HTTP router")
    func httpForward() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        try FileManager.default.createDirectory(atPath: kit.directory + "/www", withIntermediateDirectories: true)
        try "hello from the PC\n".write(toFile: kit.directory + "/www/index.html", atomically: true, encoding: .utf8)
        let local = try await kit.startHTTPServer(root: kit.directory + "/www")
        try await withRelay(kit.relayConfiguration()) { relay in
            let ssh = try kit.ssh(key: key, sshPort: relay.sshPort, forwards: ["demo:80:127.0.0.1:\(local)"])
            let body = try await kit.waitUntilServed("http://demo.localhost:\(relay.httpPort)/")
            #expect(body == "hello from the PC\n")
            // Host header with a different case and no port, sent to 127.0.0.1 directly.
            let upper = try await kit.curl("http://127.0.0.1:\(relay.httpPort)/", ["-H", "Host: DEMO.LocalHost"])
            #expect(upper.status == 200 && upper.body == "hello from the PC\n")
            #expect(ssh.isRunning)
        }
    }
}
