import NIOSSL
import Synchronization

/// The challenge answers in flight, shared by the ACME issuer (which posts
/// them) and the relay's ports (which serve them): HTTP-01 tokens on the HTTP
/// port, TLS-ALPN-01 certificates on the TLS port. An answer lives only
/// while its order waits for validation.
public final class ACMEChallengeBoard: Sendable {
    private let http01 = Mutex<[String: String]>([:])
    private let tlsALPN01 = Mutex<[String: ACMEChallengeCertificate]>([:])
    private let tlsALPN01Contexts = Mutex<[String: NIOSSLContext]>([:])

    public init() {}

    /// The path prefix an HTTP-01 validation asks for (RFC 8555 §8.3).
    public static let httpPathPrefix = "/.well-known/acme-challenge/"

    /// The body to answer `GET /.well-known/acme-challenge/TOKEN` with, if that token is posted.
    public func httpAnswer(path: String) -> String? {
        guard path.hasPrefix(Self.httpPathPrefix) else { return nil }
        let token = String(path.dropFirst(Self.httpPathPrefix.count))
        return http01.withLock { $0[token] }
    }

    /// The certificate to present to a handshake offering `acme-tls/1` for `name`.
    public func alpnCertificate(name: String) -> ACMEChallengeCertificate? {
        tlsALPN01.withLock { $0[name.lowercased()] }
    }

    /// The TLS server context presenting that certificate with ALPN `acme-tls/1` only.
    public func alpnContext(name: String) -> NIOSSLContext? {
        tlsALPN01Contexts.withLock { $0[name.lowercased()] }
    }

    func post(name: String, type: ACMEOrderMachine.ChallengeType, token: String, keyAuthorization: String) throws {
        switch type {
        case .http01:
            http01.withLock { $0[token] = keyAuthorization }
        case .tlsALPN01:
            let certificate = try ACMEChallengeCertificate(name: name, keyAuthorization: keyAuthorization)
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.certificatePEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            configuration.applicationProtocols = [ACMEChallengeCertificate.alpnProtocol]
            let context = try NIOSSLContext(configuration: configuration)
            tlsALPN01.withLock { $0[name.lowercased()] = certificate }
            tlsALPN01Contexts.withLock { $0[name.lowercased()] = context }
        }
    }

    func withdraw(name: String, token: String) {
        http01.withLock { _ = $0.removeValue(forKey: token) }
        tlsALPN01.withLock { _ = $0.removeValue(forKey: name.lowercased()) }
        tlsALPN01Contexts.withLock { _ = $0.removeValue(forKey: name.lowercased()) }
    }
}
