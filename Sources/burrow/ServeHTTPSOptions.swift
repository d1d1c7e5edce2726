import ArgumentParser
import BurrowCertificates
import BurrowRelay
import Foundation
import NIOPosix

/// Where `burrow serve` gets certificates for HTTP mappings' https URLs.
/// With none of these the TLS port passes TLS through only (as before).
struct ServeHTTPSOptions: ParsableArguments {
    static let letsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"
    static let letsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory"

    @Option(help: ArgumentHelp("Certificate chain (PEM, leaf first) for https://NAME.DOMAIN: a wildcard *.DOMAIN or a list of names. Re-read when it changes.", valueName: "FILE"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("Private key (PEM) of --tls-cert.", valueName: "FILE"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Get certificates from an ACME CA (Let's Encrypt by default) for each name an agent registers; this address is the account's contact.", valueName: "ADDR"))
    var acmeEmail: String?

    @Option(help: ArgumentHelp("ACME directory URL (default: Let's Encrypt production).", valueName: "URL"))
    var acmeDirectory: String?

    @Flag(help: "Use Let's Encrypt's staging directory (untrusted certificates, generous rate limits) to try a set-up.")
    var acmeStaging = false

    @Option(help: ArgumentHelp("How the ACME server checks a name: http-01 (on the HTTP port, which must be 80) or tls-alpn-01 (on the TLS port, which must be 443).", valueName: "KIND"))
    var acmeChallenge = "http-01"

    @Option(help: ArgumentHelp("Trust this CA file (PEM) for the ACME server's own https (a private ACME server).", valueName: "FILE"))
    var acmeCAFile: String?

    @Flag(help: "Sign https certificates for NAME.localhost with the local CA in the config directory (burrow trust shows it); for --domain localhost.")
    var localCA = false

    func validate(domain: String) throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together: give both files (chain and key)")
        }
        let sources = [tlsCert != nil, acmeEmail != nil, localCA].filter { $0 }.count
        if sources > 1 {
            throw ValidationError("choose one certificate source: --tls-cert/--tls-key, --acme-email or --local-ca")
        }
        if acmeEmail == nil, acmeDirectory != nil || acmeStaging || acmeCAFile != nil {
            throw ValidationError("--acme-directory, --acme-staging and --acme-ca-file need --acme-email ADDR (ACME's contact)")
        }
        if acmeDirectory != nil, acmeStaging {
            throw ValidationError("--acme-staging and --acme-directory both name a directory: give one")
        }
        if ACMEOrderMachine.ChallengeType(rawValue: acmeChallenge) == nil {
            throw ValidationError("invalid --acme-challenge '\(acmeChallenge)': use http-01 or tls-alpn-01")
        }
        if acmeEmail == nil, acmeChallenge != "http-01" {
            throw ValidationError("--acme-challenge needs --acme-email ADDR (ACME's contact)")
        }
        if let acmeDirectory, !acmeDirectory.hasPrefix("https://") {
            throw ValidationError("invalid --acme-directory '\(acmeDirectory)': an ACME directory is an https:// URL")
        }
        if let acmeEmail, !acmeEmail.contains("@") || acmeEmail.contains(" ") {
            throw ValidationError("invalid --acme-email '\(acmeEmail)': use an address like ops@example.com")
        }
        if localCA, domain != "localhost" {
            throw ValidationError("--local-ca signs only names under .localhost: use it with --domain localhost (the default)")
        }
        for path in [tlsCert, tlsKey, acmeCAFile].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("cannot read \(path)")
        }
    }

    /// The manager and challenge board for the relay, or nil for passthrough only.
    func makeManager(stateDirectory: String, configDirectory: String) throws -> (CertificateManager, ACMEChallengeBoard?, String)? {
        if let tlsCert, let tlsKey {
            return (CertificateManager(source: .files(chainPath: tlsCert, keyPath: tlsKey), stateDirectory: stateDirectory, alpn: HTTP2Termination.alpnProtocols), nil, "certificate \(tlsCert)")
        }
        if localCA {
            let authority = try LocalCertificateAuthority.loadOrCreate(directory: configDirectory)
            return (CertificateManager(source: .localAuthority(authority), stateDirectory: stateDirectory, alpn: HTTP2Termination.alpnProtocols), nil, "local CA \(authority.certificatePath)")
        }
        if let acmeEmail {
            let directory = acmeDirectory ?? (acmeStaging ? Self.letsEncryptStaging : Self.letsEncrypt)
            let board = ACMEChallengeBoard()
            let store = CertificateStore(stateDirectory: stateDirectory)
            let issuer = ACMEIssuer(
                directoryURL: directory, contactEmail: acmeEmail, accountKey: try store.accountKey(directoryURL: directory),
                challengeType: ACMEOrderMachine.ChallengeType(rawValue: acmeChallenge) ?? .http01, client: ACMEHTTPClient(group: MultiThreadedEventLoopGroup.singleton, trustedCAFile: acmeCAFile), board: board)
            return (CertificateManager(source: .acme(issuer), stateDirectory: stateDirectory, alpn: HTTP2Termination.alpnProtocols), board, "ACME \(directory)")
        }
        return nil
    }
}
