import BurrowTestSupport
import Foundation
import Testing

/// `burrow trust` as a user runs it: the local CA is made once in the config
/// directory (key 0600), the commands to trust it name its real path, the
/// fingerprint is the one OpenSSL computes, and nothing is installed unasked.
@Suite(.spawnsProcesses) struct TrustCommandTests {
    @Test func printsThePathFingerprintAndCommands() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let first = try cli.run("trust")
        #expect(first.status == 0, "\(first.stderr)")
        let caPath = cli.configDir + "/local-ca.pem"
        #expect(first.stdout.hasPrefix("Burrow's local certificate authority: \(caPath)\n"))
        #expect(first.stdout.contains("curl --cacert \(caPath) https://web.localhost:8443/"))
        #expect(first.stdout.contains("update-ca-certificates"))
        let mode = (try FileManager.default.attributesOfItem(atPath: cli.configDir + "/local-ca-key.pem")[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        let openssl = try CLIRunner.exec("/usr/bin/openssl", ["x509", "-in", caPath, "-noout", "-fingerprint", "-sha256"])
        let fingerprint = try #require(openssl.stdout.split(separator: "=").last).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(first.stdout.contains("SHA-256 fingerprint: \(fingerprint)\n"))
        // Run again: the same authority, not a new one.
        #expect(try cli.run("trust").stdout == first.stdout)
        #expect(!FileManager.default.fileExists(atPath: "/usr/local/share/ca-certificates/burrow-local-ca.crt"))
    }

    @Test func aDamagedAuthorityIsNamedAndKept() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        #expect(try cli.run("trust").status == 0)
        try "garbage\n".write(toFile: cli.configDir + "/local-ca.pem", atomically: true, encoding: .utf8)
        let again = try cli.run("trust")
        #expect(again.status != 0)
        #expect(again.stderr.contains("local-ca.pem: not a PEM certificate"))
        #expect(try String(contentsOfFile: cli.configDir + "/local-ca.pem", encoding: .utf8) == "garbage\n")
    }
}
