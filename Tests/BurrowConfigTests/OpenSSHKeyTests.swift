import Crypto
import Foundation
import Testing
@testable import BurrowConfig

@Suite struct OpenSSHKeyTests {
    static let sshKeygen = "/usr/bin/ssh-keygen"

    /// `ssh-keygen -q -t TYPE -N PASSPHRASE [-C COMMENT] -f DIR/NAME` (must
    /// succeed); returns the private key's path.
    static func keygen(in dir: TempDirectory, _ name: String, type: String, passphrase: String = "", comment: String? = nil) throws -> String {
        let path = dir.file(name)
        let made = try runProcess(sshKeygen, ["-q", "-t", type, "-N", passphrase] + (comment.map { ["-C", $0] } ?? []) + ["-f", path])
        #expect(made.status == 0, "\(made.stderr)")
        return path
    }

    @Test func roundTrip() throws {
        let key = Curve25519.Signing.PrivateKey()
        let text = OpenSSHKey.encodePrivateKey(key, comment: "me@box")
        #expect(text.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 70 || $0.hasPrefix("-----") })
        let parsed = try OpenSSHKey.parsePrivateKey(text, path: "mem")
        #expect(parsed.key.rawRepresentation == key.rawRepresentation)
        #expect(parsed.comment == "me@box")
        let line = OpenSSHKey.publicKeyLine(key.publicKey, comment: "me@box")
        #expect(try OpenSSHKey.parsePublicKeyLine(line).rawRepresentation == key.publicKey.rawRepresentation)
        #expect(OpenSSHKey.publicKeyLine(key.publicKey, comment: "").split(separator: " ").count == 2)
    }

    @Test func sshKeygenReadsOurKeys() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let identity = try Identity.loadOrCreate(directory: dir.path)
        // ssh-keygen derives the public line from our private file…
        let derived = try runProcess(Self.sshKeygen, ["-y", "-f", dir.file("identity")])
        #expect(derived.status == 0, "\(derived.stderr)")
        let ours = identity.publicKeyLine.split(separator: " ").prefix(2).joined(separator: " ")
        #expect(derived.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix(ours))
        // …accepts our public line and prints our fingerprint.
        let listed = try runProcess(Self.sshKeygen, ["-l", "-f", dir.file("identity.pub")])
        #expect(listed.status == 0, "\(listed.stderr)")
        let fields = listed.stdout.split(separator: " ")
        #expect(fields.count >= 2)
        #expect(String(fields[1]) == identity.fingerprint)
        #expect(listed.stdout.contains("(ED25519)"))
    }

    @Test func loadsKeyMadeBySshKeygen() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = try Self.keygen(in: dir, "id_ed25519", type: "ed25519", comment: "alice@laptop")
        let identity = try Identity.load(path: path)
        let pub = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(identity.publicKeyLine == pub)
        #expect(identity.comment == "alice@laptop")
        let listed = try runProcess(Self.sshKeygen, ["-l", "-f", path + ".pub"])
        #expect(listed.stdout.split(separator: " ").dropFirst().first.map(String.init) == identity.fingerprint)
        // Our encoder writes what ssh-keygen wrote, except the random check numbers.
        let again = try OpenSSHKey.parsePrivateKey(OpenSSHKey.encodePrivateKey(identity.privateKey, comment: identity.comment), path: "mem")
        #expect(again.key.rawRepresentation == identity.privateKey.rawRepresentation)
    }

    @Test func encryptedKeyIsRefusedClearly() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = try Self.keygen(in: dir, "locked", type: "ed25519", passphrase: "hunter22")
        do {
            _ = try Identity.load(path: path)
            Issue.record("an encrypted key loaded")
        } catch {
            #expect(error == .encryptedKey(path: path))
            #expect(error.description.contains("encrypted keys are not supported yet"))
            #expect(error.description.contains(path))
        }
    }

    @Test func otherKeyTypesAreRefused() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = try Self.keygen(in: dir, "ecdsa", type: "ecdsa")
        #expect { try Identity.load(path: path) } throws: { error in
            "\(error)".contains("ecdsa-sha2-nistp256") && "\(error)".contains("only ssh-ed25519")
        }
        let ecdsaLine = try String(contentsOfFile: path + ".pub", encoding: .utf8)
        #expect(throws: ConfigError.self) { try OpenSSHKey.parsePublicKeyLine(ecdsaLine) }
    }

    @Test(arguments: ["", "ssh-ed25519", "ssh-ed25519 !!!", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 x", "hello world"])
    func rejectsBadPublicLines(_ line: String) {
        #expect(throws: ConfigError.self) { try OpenSSHKey.parsePublicKeyLine(line) }
    }

    @Test func rejectsDamagedPrivateKeys() throws {
        let text = OpenSSHKey.encodePrivateKey(Curve25519.Signing.PrivateKey(), comment: "x")
        #expect(throws: ConfigError.self) { try OpenSSHKey.parsePrivateKey("not a key", path: "p") }
        var lines = text.split(separator: "\n").map(String.init)
        lines[1] = String(lines[1].reversed())
        #expect(throws: ConfigError.self) { try OpenSSHKey.parsePrivateKey(lines.joined(separator: "\n"), path: "p") }
        let truncated = Array(text.split(separator: "\n").prefix(2)) + ["-----END OPENSSH PRIVATE KEY-----"]
        #expect(throws: ConfigError.self) { try OpenSSHKey.parsePrivateKey(truncated.joined(separator: "\n"), path: "p") }
    }
}

@Suite struct IdentityTests {
    @Test func createsOnceWithPrivateMode() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let nested = dir.file("a/b")
        let first = try Identity.loadOrCreate(directory: nested)
        #expect(try fileMode("\(nested)/identity") == 0o600)
        let pub = try String(contentsOfFile: "\(nested)/identity.pub", encoding: .utf8)
        #expect(pub == first.publicKeyLine + "\n")
        #expect(first.publicKeyLine.hasPrefix("ssh-ed25519 AAAA"))
        let second = try Identity.loadOrCreate(directory: nested)
        #expect(second.publicKeyLine == first.publicKeyLine)
        // A deleted .pub is rewritten from the private key.
        try FileManager.default.removeItem(atPath: "\(nested)/identity.pub")
        _ = try Identity.loadOrCreate(directory: nested)
        #expect(try String(contentsOfFile: "\(nested)/identity.pub", encoding: .utf8) == pub)
    }

    @Test func concurrentFirstUseMakesOneKey() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path
        let lines = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 {
                group.addTask { try Identity.loadOrCreate(directory: path).publicKeyLine }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(lines.count == 1)
    }

    @Test func missingFileNamesPath() {
        #expect { try Identity.load(path: "/nonexistent/key") } throws: { error in
            "\(error)".contains("/nonexistent/key")
        }
    }
}

@Suite struct AtomicFileTests {
    @Test func writesReplacesAndLeavesNoTemp() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("f.json")
        try AtomicFile.write(Array("one".utf8), to: path)
        try AtomicFile.write(Array("two".utf8), to: path, mode: 0o600)
        #expect(try AtomicFile.read(path) == Array("two".utf8))
        #expect(try fileMode(path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["f.json"])
        #expect(try AtomicFile.read(dir.file("missing")) == nil)
    }

    @Test func failsClearlyInMissingDirectory() {
        #expect { try AtomicFile.write([1], to: "/nonexistent-dir/x") } throws: { error in
            "\(error)".contains("/nonexistent-dir") && "\(error)".contains("No such file")
        }
    }
}

@Suite struct FileLockTests {
    /// Threads doing read-increment-write on a file under the lock lose no update.
    @Test func serializesReadModifyWrite() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let counter = dir.file("counter")
        let lock = dir.file("lock")
        try AtomicFile.write(Array("0".utf8), to: counter)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<25 {
                        try FileLock.withLock(lock) {
                            let value = Int(String(decoding: try AtomicFile.read(counter) ?? [], as: UTF8.self)) ?? -1000
                            usleep(200)
                            try AtomicFile.write(Array(String(value + 1).utf8), to: counter)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try AtomicFile.read(counter) == Array("100".utf8))
    }
}
