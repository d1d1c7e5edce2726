import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

@Suite("Relay reservations", .spawnsProcesses, .timeLimit(.minutes(10)))
struct RelayReservationTests {
    /// Starts `ssh … burrow-control` with an unnamed HTTP forward and a port-0
    /// TCP forward; returns the two URLs the relay granted.
    private func grantedURLs(_ kit: RelayTestKit, key: String, sshPort: Int, local: Int) async throws -> (http: String, tcp: String) {
        let forwards = ["80:127.0.0.1:\(local)", "db:0:127.0.0.1:\(local)"]
        let control = try kit.ssh(key: key, sshPort: sshPort, forwards: forwards, command: "burrow-control")
        defer { control.kill() }
        let http = try await control.waitFor("\"url\":\"(http://[a-z0-9-]+\\.localhost:\\d+)\"")
        let tcp = try await control.waitFor("\"url\":\"(tcp://localhost:\\d+)\"")
        return (http, tcp)
    }

    @Test("the same key gets the same picked name and TCP port after a relay restart; another key does not")
    func surviveRestart() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let other = try await kit.makeKey("other", authorize: true)
        let local = try await kit.startHTTPServer(root: kit.directory)
        var configuration = kit.relayConfiguration()
        let log = LogCollector()
        configuration.log = log.sink

        let first = try await withRelay(configuration) { relay in
            try await grantedURLs(kit, key: key, sshPort: relay.sshPort, local: local)
        }
        let second = try await withRelay(configuration) { relay in
            let again = try await grantedURLs(kit, key: key, sshPort: relay.sshPort, local: local)
            let stranger = try await grantedURLs(kit, key: other, sshPort: relay.sshPort, local: local)
            return (again, stranger)
        }
        let name = { (url: String) in url.split(separator: "/")[1].split(separator: ".")[0] }
        let port = { (url: String) in url.split(separator: ":").last! }
        #expect(name(second.0.http) == name(first.http))
        // The reserved port is the one the relay binds first; only when some
        // other process on this shared machine holds it meanwhile may it fall
        // back to another, and it says so.
        let firstPort = port(first.tcp)
        #expect(
            port(second.0.tcp) == firstPort || log.text.contains("port \(firstPort) could not be bound (bind(descriptor:ptr:bytes:): Address already in use"),
            "\(log.text)")
        #expect(name(second.1.http) != name(first.http))
        #expect(port(second.1.tcp) != port(first.tcp))

        let saved = try String(contentsOfFile: kit.stateDirectory + "/reservations.json", encoding: .utf8)
        #expect(saved.contains("\"\(name(first.http))\""))
        #expect(saved.contains("\"label\": \"db\""))
    }

    @Test("the host key is made once and kept: same fingerprint after a restart")
    func hostKeyKept() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let configuration = kit.relayConfiguration()
        let first = try await withRelay(configuration) { $0 }
        let second = try await withRelay(configuration) { $0 }
        #expect(first.fingerprint == second.fingerprint)
        #expect(first.hostKeyLine.hasPrefix("ssh-ed25519 "))
        // ssh-keygen agrees on the fingerprint of the file it reads.
        let keygen = try await TestProcess.run("ssh-keygen", ["-l", "-f", kit.stateDirectory + "/host_key"])
        #expect(keygen.stdout.contains(first.fingerprint))
    }

    @Test("a reservations.json that does not parse stops the relay and is left untouched")
    func corruptReservations() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let path = try kit.writeState("reservations.json", "{ not json")
        #expect(await kit.startFailure() is RelayError)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{ not json")
    }
}
