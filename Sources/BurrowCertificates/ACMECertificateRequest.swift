import Crypto
import SwiftASN1
import X509

/// A fresh P-256 key and the PKCS #10 request (DER) ACME's finalize wants for
/// it (RFC 8555 §7.4): the names go in a subjectAltName extension request,
/// the first also as the subject's common name.
public struct ACMECertificateRequest: Sendable {
    /// The certificate's key, PEM (what the TLS server loads beside the chain).
    public let privateKeyPEM: String
    public let der: [UInt8]

    public init(names: [String], privateKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey()) throws {
        privateKeyPEM = privateKey.pemRepresentation + "\n"
        let extensions = try Certificate.Extensions {
            SubjectAlternativeNames(names.map { .dnsName($0) })
        }
        let csr = try CertificateSigningRequest(
            version: .v1,
            subject: try DistinguishedName { CommonName(names.first ?? "") },
            privateKey: Certificate.PrivateKey(privateKey),
            attributes: try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: extensions))])
        )
        var serializer = DER.Serializer()
        try serializer.serialize(csr)
        der = serializer.serializedBytes
    }
}
