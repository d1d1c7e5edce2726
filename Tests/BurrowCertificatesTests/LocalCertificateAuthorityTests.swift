import BurrowTestSupport
import Foundation
import Testing
@testable import BurrowCertificates

/// The local CA as a user meets it: files made once with safe modes, leaf
/// certificates that OpenSSL verifies and that curl accepts over a real TLS
/// connection, and a damaged file named instead of replaced.
@Suite(.spawnsProcesses) struct LocalCertificateAuthorityTests {
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("burrow-ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func madeOnceWithAPrivateKeyAndReusedAfter() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try LocalCertificateAuthority.loadOrCreate(directory: dir)
        #expect(try Self.mode(dir + "/local-ca-key.pem") == 0o600)
        #expect(first.certificatePath == dir + "/local-ca.pem")
        let again = try LocalCertificateAuthority.loadOrCreate(directory: dir)
        #expect(again.certificate == first.certificate)
    }

    @Test func leafVerifiesWithOpenSSLForItsNameOnly() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ca = try LocalCertificateAuthority.loadOrCreate(directory: dir)
        let leaf = try ca.issue(names: ["Web.localhost"])
        #expect(leaf.names == ["web.localhost"])
        try leaf.chainPEM.write(toFile: dir + "/chain.pem", atomically: true, encoding: .utf8)
        let openssl = try SpawnedProcess.which("openssl")
        let verify = try SpawnedProcess.run(openssl, ["verify", "-CAfile", ca.certificatePath, "-verify_hostname", "web.localhost", "-purpose", "sslserver", dir + "/chain.pem"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let wrongName = try SpawnedProcess.run(openssl, ["verify", "-CAfile", ca.certificatePath, "-verify_hostname", "api.localhost", dir + "/chain.pem"])
        #expect(wrongName.status != 0)
    }

    @Test func refusesNamesOutsideLocalhost() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ca = try LocalCertificateAuthority.loadOrCreate(directory: dir)
        #expect(throws: CertificateError.self) { try ca.issue(names: ["example.com"]) }
        #expect(throws: CertificateError.self) { try ca.issue(names: ["evil.localhost.example.com"]) }
        #expect(throws: CertificateError.self) { try ca.issue(names: ["bad_name.localhost"]) }
        #expect(throws: CertificateError.self) { try ca.issue(names: []) }
    }

    /// The authority's own certificate says it may sign only under
    /// `localhost`: OpenSSL refuses a certificate its key signed for another
    /// name (made here by hand with the same key, as a thief would).
    @Test func nameConstraintStopsAStolenKey() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ca = try LocalCertificateAuthority.loadOrCreate(directory: dir)
        let openssl = try SpawnedProcess.which("openssl")
        let script = """
        set -e
        cd '\(dir)'
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout evil-key.pem -subj /CN=bank.example -out evil.csr 2>/dev/null
        printf 'subjectAltName=DNS:bank.example\\n' > ext.cnf
        openssl x509 -req -in evil.csr -CA local-ca.pem -CAkey local-ca-key.pem -CAcreateserial -days 1 -extfile ext.cnf -out evil.pem 2>/dev/null
        """
        let made = try SpawnedProcess.run("/bin/sh", ["-c", script])
        #expect(made.status == 0, "\(made.stderr)")
        let verify = try SpawnedProcess.run(openssl, ["verify", "-CAfile", ca.certificatePath, dir + "/evil.pem"])
        #expect(verify.status != 0)
        #expect(verify.stdout.contains("name constraint") || verify.stderr.contains("name constraint") || verify.stderr.contains("permitted subtree"), "\(verify.stdout)\(verify.stderr)")
    }

    /// curl, given only the authority's certificate, talks to a TLS server
    /// presenting the issued chain for `web.localhost`.
    @Test func curlTrustsTheIssuedChain() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ca = try LocalCertificateAuthority.loadOrCreate(directory: dir)
        let leaf = try ca.issue(names: ["web.localhost"])
        try leaf.chainPEM.write(toFile: dir + "/chain.pem", atomically: true, encoding: .utf8)
        try leaf.privateKeyPEM.write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
        // One bounded script: a real TLS server on a port of its choosing, curl, then the server stopped.
        let script = """
        cd '\(dir)'
        openssl s_server -accept 127.0.0.1:0 -cert chain.pem -key key.pem -www > server.out 2>&1 &
        server=$!
        trap 'kill $server 2>/dev/null' EXIT
        for i in $(seq 1 600); do grep -q '^ACCEPT' server.out && break; sleep 0.1; done
        port=$(sed -n 's/^ACCEPT .*:\\([0-9]*\\)$/\\1/p' server.out)
        curl -sS --max-time 60 --cacert local-ca.pem --resolve web.localhost:$port:127.0.0.1 -o /dev/null -w '%{http_code}' https://web.localhost:$port/
        """
        let result = try await SpawnedProcess.run("/bin/sh", ["-c", script], timeout: .seconds(120))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "200")
    }

    @Test func aDamagedFileIsNamedAndKept() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try LocalCertificateAuthority.loadOrCreate(directory: dir)
        let garbage = "not a certificate\n"
        try garbage.write(toFile: dir + "/local-ca.pem", atomically: true, encoding: .utf8)
        #expect {
            try LocalCertificateAuthority.loadOrCreate(directory: dir)
        } throws: { error in
            "\(error)".contains("local-ca.pem: not a PEM certificate")
        }
        #expect(try String(contentsOfFile: dir + "/local-ca.pem", encoding: .utf8) == garbage)
    }
}
