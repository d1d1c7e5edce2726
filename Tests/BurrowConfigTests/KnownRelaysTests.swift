import Crypto
import Foundation
import Testing
@testable import BurrowConfig

@Suite struct KnownRelaysTests {
    @Test func pinOnFirstUseThenTrustOrMismatch() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let relays = ConfigStore(directory: dir.path).knownRelays
        let key = OpenSSHKey.publicKeyLine(Curve25519.Signing.PrivateKey().publicKey, comment: "relay")
        let other = OpenSSHKey.publicKeyLine(Curve25519.Signing.PrivateKey().publicKey, comment: "")
        #expect(try relays.check(host: "Relay.Example", port: 2222, keyLine: key) == .unknown)
        try relays.pin(host: "Relay.Example", port: 2222, keyLine: key)
        #expect(try relays.check(host: "relay.example", port: 2222, keyLine: key) == .trusted)
        let bare = key.split(separator: " ").prefix(2).joined(separator: " ")
        #expect(try relays.check(host: "relay.example", port: 2222, keyLine: other) == .mismatch(expected: bare))
        #expect(try relays.check(host: "relay.example", port: 2223, keyLine: other) == .unknown)
        try relays.pin(host: "relay.example", port: 2222, keyLine: other)
        #expect(try relays.check(host: "relay.example", port: 2222, keyLine: other) == .trusted)
        try relays.pin(host: "plain.example", port: 22, keyLine: key)
        let text = try String(contentsOfFile: relays.path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2)
        #expect(text.contains("\n" + "plain.example " + bare) || text.hasPrefix("plain.example"))
        #expect(text.contains("[relay.example]:2222 ssh-ed25519 "))
    }

    @Test func sshKeygenReadsTheFile() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let relays = KnownRelays(path: dir.file("known_relays"))
        let key = OpenSSHKey.publicKeyLine(Curve25519.Signing.PrivateKey().publicKey, comment: "")
        try relays.pin(host: "127.0.0.1", port: 2222, keyLine: key)
        let found = try runProcess("/usr/bin/ssh-keygen", ["-F", "[127.0.0.1]:2222", "-f", relays.path])
        #expect(found.status == 0)
        #expect(found.stdout.contains(key))
    }

    @Test func badInput() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let relays = KnownRelays(path: dir.file("known_relays"))
        #expect(throws: ConfigError.self) { try relays.check(host: "h", port: 1, keyLine: "ssh-rsa AAAA") }
        try Array("# comment\n\nbroken-line\n".utf8).write(to: relays.path)
        let key = OpenSSHKey.publicKeyLine(Curve25519.Signing.PrivateKey().publicKey, comment: "")
        #expect { try relays.check(host: "h", port: 1, keyLine: key) } throws: { error in
            "\(error)".hasPrefix(relays.path + ":3:1:")
        }
    }
}
