import Crypto
import Foundation
import SwiftASN1
import X509

/// The self-signed certificate a TLS-ALPN-01 answer presents (RFC 8737 §3):
/// one dNSName, and a critical `acmeIdentifier` extension holding
/// SHA-256(keyAuthorization), sent only on a handshake that offers the
/// `acme-tls/1` ALPN protocol.
public struct ACMEChallengeCertificate: Sendable {
    /// id-pe-acmeIdentifier, 1.3.6.1.5.5.7.1.31.
    static let acmeIdentifierOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 31]
    public static let alpnProtocol = "acme-tls/1"

    public let certificatePEM: String
    public let privateKeyPEM: String

    public init(name: String, keyAuthorization: String, now: Date = Date()) throws {
        let key = P256.Signing.PrivateKey()
        let digest = Array(SHA256.hash(data: Array(keyAuthorization.utf8)))
        var serializer = DER.Serializer()
        try serializer.serialize(ASN1OctetString(contentBytes: digest[...]))
        let acmeIdentifier = Certificate.Extension(oid: Self.acmeIdentifierOID, critical: true, value: serializer.serializedBytes[...])
        let subject = try DistinguishedName { CommonName(name) }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3_600),
            notValidAfter: now.addingTimeInterval(7 * 86_400),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames([.dnsName(name)])
                acmeIdentifier
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
        privateKeyPEM = key.pemRepresentation + "\n"
    }
}
