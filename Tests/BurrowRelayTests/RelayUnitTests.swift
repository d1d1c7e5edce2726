import BurrowTestSupport
import BurrowCore
import Foundation
import NIOSSH
import Testing

@testable import BurrowRelay

/// The relay's plain-value parts, without sockets.
@Suite("Relay parts", .spawnsProcesses)
struct RelayUnitTests {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/burrow-relay-unit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("Host header → routing name", arguments: [
        ("demo.localhost", "demo.localhost"),
        ("Demo.LocalHost:8080", "demo.localhost"),
        ("demo.example.com.", "demo.example.com"),
        ("[::1]:8080", "::1"),
        ("127.0.0.1:80", "127.0.0.1"),
    ])
    func hostName(header: String, expected: String) {
        #expect(HTTPRouter.hostName(header) == expected)
    }

    @Test("error pages escape the host they name and close the connection")
    func errorPages() {
        let page = HTTPErrorPage.notFound(host: "<script>.localhost", domain: "localhost")
        #expect(page.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(page.contains("&lt;script&gt;.localhost"))
        #expect(!page.contains("<script>"))
        #expect(page.contains("Connection: close\r\n"))
        let body = page.components(separatedBy: "\r\n\r\n")[1]
        #expect(page.contains("Content-Length: \(body.utf8.count)\r\n"))
        #expect(HTTPErrorPage.offline(host: "x.localhost").hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
    }

    @Test("names: first key keeps them, another key is refused, all of it survives a reload")
    func nameReservations() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/reservations.json"
        let store = try ReservationStore(path: path)
        try store.claim(name: "demo", for: "SHA256:alice")
        try store.claim(name: "demo", for: "SHA256:alice")  // again: fine
        #expect(throws: RelayError.self) { try store.claim(name: "demo", for: "SHA256:bob") }
        let picked = try store.autoName(for: "SHA256:bob", avoiding: [])
        #expect(DNSLabel.isValid(picked))
        #expect(try store.autoName(for: "SHA256:bob", avoiding: []) == picked)
        #expect(try store.autoName(for: "SHA256:bob", avoiding: [picked]) != picked)

        store.flush()
        let reloaded = try ReservationStore(path: path)
        #expect(reloaded.owner(ofName: "demo") == "SHA256:alice")
        #expect(reloaded.owner(ofName: picked) == "SHA256:bob")
        #expect(try reloaded.autoName(for: "SHA256:bob", avoiding: []) == picked)
    }

    @Test("ports: the earlier port comes first, held ports are never offered to others")
    func portReservations() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ReservationStore(path: directory + "/reservations.json")
        let range = 21000...21009
        try store.claim(port: 21003, label: "db", for: "SHA256:alice")
        #expect(store.candidatePorts(for: "SHA256:alice", label: "db", in: range).first == 21003)
        #expect(!store.candidatePorts(for: "SHA256:bob", label: "db", in: range).contains(21003))
        #expect(throws: RelayError.self) { try store.claim(port: 21003, label: "x", for: "SHA256:bob") }
        // Explicit ports under one label are all kept…
        try store.claim(port: 21004, label: "db", for: "SHA256:alice", movingLabel: false)
        #expect(store.owner(ofPort: 21003) == "SHA256:alice")
        // …while a port-0 grant moves the label to its new port.
        try store.claim(port: 21005, label: "db", for: "SHA256:alice")
        #expect(store.owner(ofPort: 21003) == nil)
        #expect(store.owner(ofPort: 21004) == nil)
        store.flush()
        #expect(try ReservationStore(path: directory + "/reservations.json").owner(ofPort: 21005) == "SHA256:alice")
        // One key cannot hold more than its share.
        for index in 0..<store.maximumPerKey { try store.claim(name: "n\(index)", for: "SHA256:dave") }
        #expect(throws: RelayError.self) { try store.claim(name: "one-more", for: "SHA256:dave") }
        #expect(throws: RelayError.self) { _ = try store.autoName(for: "SHA256:dave", avoiding: []) }
        // A full range offers nothing new.
        for port in range where port != 21005 { try store.claim(port: port, label: "p\(port)", for: "SHA256:carol") }
        #expect(store.candidatePorts(for: "SHA256:bob", label: "db", in: range).isEmpty)
    }

    @Test("authorized_keys: options, comments and blank lines; re-read when the file changes")
    func authorizedKeys() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/authorized_keys"
        let first = NIOSSHPrivateKey(ed25519Key: .init()).publicKey
        let second = NIOSSHPrivateKey(ed25519Key: .init()).publicKey
        try """
            # the team

            restrict,port-forwarding \(String(openSSHPublicKey: first)) alice@laptop
            not a key line
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let skipped = LogCollector()
        let keys = AuthorizedKeys(path: path, log: skipped.sink)
        #expect(keys.contains(first))
        #expect(!keys.contains(second))
        #expect(skipped.text.contains("authorized_keys:4: not an OpenSSH public key line"))

        try (String(openSSHPublicKey: second) + " bob\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(keys.contains(second))
        #expect(!keys.contains(first))
    }

    @Test("client key fingerprints match ssh-keygen -l")
    func fingerprint() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("fp", authorize: false)
        let line = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        let keygen = try await TestProcess.run("ssh-keygen", ["-l", "-f", key + ".pub"])
        let expected = String(keygen.stdout.split(separator: " ")[1])
        #expect(PublicKeyIdentity.fingerprint(ofLine: line) == expected)
        #expect(PublicKeyIdentity(try NIOSSHPublicKey(openSSHPublicKey: line)).fingerprint == expected)
    }
}
