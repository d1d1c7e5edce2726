import Foundation
import NIOSSL

/// A certificate ready for handshakes: the PEM pair and the TLS server
/// context built from it once (building one per handshake would cost more
/// than the handshake).
public struct ServingCertificate: Sendable {
    public let issued: IssuedCertificate
    public let context: NIOSSLContext

    /// `alpn`: what the terminated port offers, in order of preference.
    public init(_ issued: IssuedCertificate, alpn: [String] = ["http/1.1"]) throws {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(issued.chainPEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(issued.privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        // TLS 1.2 and 1.3 only: 1.0/1.1 visitors fail the handshake (RFC 8996).
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = alpn
        self.issued = issued
        self.context = try NIOSSLContext(configuration: configuration)
    }
}
