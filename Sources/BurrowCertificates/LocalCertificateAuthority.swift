import BurrowConfig
import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority made once on this machine (like mkcert) that signs
/// certificates for `NAME.localhost`, so the embedded relay can serve
/// `https://web.localhost:8443` to a browser or curl that trusts it.
///
/// Its key never leaves `directory` (written 0600, atomically, under a lock so
/// two processes starting at once make one authority, not two). It signs only
/// names under `localhost` (the one suffix browsers and resolvers keep on the
/// loopback, RFC 6761 §6.3), and its certificate carries a name constraint
/// saying so: if the key were ever stolen, a certificate it signs for any
/// other name is refused by every verifier that checks constraints (OpenSSL,
/// BoringSSL, NSS).
public struct LocalCertificateAuthority: Sendable {
    /// The authority's certificate file: what a user trusts (`burrow trust`).
    public static let certificateFileName = "local-ca.pem"
    static let keyFileName = "local-ca-key.pem"
    static let lockFileName = ".local-ca.lock"
    /// The one domain it signs under.
    public static let domain = "localhost"

    public let certificatePath: String
    public let certificate: Certificate
    /// The authority's key as its raw scalar (swift-crypto's key type is not `Sendable` on Linux).
    let keyBytes: [UInt8]
    var key: P256.Signing.PrivateKey {
        // `keyBytes` came from a valid key, so this cannot fail.
        try! P256.Signing.PrivateKey(rawRepresentation: keyBytes)
    }

    init(certificatePath: String, certificate: Certificate, key: P256.Signing.PrivateKey) {
        self.certificatePath = certificatePath
        self.certificate = certificate
        keyBytes = Array(key.rawRepresentation)
    }

    /// Loads the authority from `directory`, making it (key and 10-year
    /// certificate) the first time. A damaged file is an error naming it,
    /// never silently replaced: a user may already trust that certificate.
    public static func loadOrCreate(directory: String, now: Date = Date()) throws(CertificateError) -> LocalCertificateAuthority {
        let certPath = directory + "/" + certificateFileName
        let keyPath = directory + "/" + keyFileName
        do {
            try AtomicFile.makeDirectory(directory)
        } catch {
            throw .io(error.description)
        }
        do {
            return try FileLock.withLock(directory + "/" + lockFileName) { () throws(CertificateError) -> LocalCertificateAuthority in
                if let existing = try load(certPath: certPath, keyPath: keyPath) { return existing }
                return try create(certPath: certPath, keyPath: keyPath, now: now)
            }
        } catch let error as CertificateError {
            throw error
        } catch {
            throw .io("\(directory): \(error)")
        }
    }

    /// Signs a certificate for `names` (each `localhost` or ending in
    /// `.localhost`), valid from an hour ago (clock skew) for `days`.
    public func issue(names: [String], days: Int = 30, now: Date = Date()) throws(CertificateError) -> IssuedCertificate {
        guard !names.isEmpty else { throw .nameNotAllowed(name: "", reason: "no name given") }
        for name in names {
            let lower = name.lowercased()
            guard lower == Self.domain || lower.hasSuffix("." + Self.domain) else {
                throw .nameNotAllowed(name: name, reason: "the local authority signs only names under .\(Self.domain)")
            }
            guard DNSName.isValid(lower) else {
                throw .nameNotAllowed(name: name, reason: "not a DNS name")
            }
        }
        let leafKey = P256.Signing.PrivateKey()
        let notAfter = now.addingTimeInterval(Double(days) * 86_400)
        do {
            let subject = try DistinguishedName { CommonName(names[0]) }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names.map { .dnsName($0.lowercased()) })
                SubjectKeyIdentifier(hash: Certificate.PublicKey(leafKey.publicKey))
                AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            }
            let leaf = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(leafKey.publicKey),
                notValidBefore: now.addingTimeInterval(-3_600),
                notValidAfter: notAfter,
                issuer: certificate.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(key)
            )
            let chain = try leaf.serializeAsPEM().pemString + "\n" + certificate.serializeAsPEM().pemString + "\n"
            return IssuedCertificate(
                names: names.map { $0.lowercased() },
                chainPEM: chain,
                privateKeyPEM: leafKey.pemRepresentation + "\n",
                notValidAfter: notAfter
            )
        } catch {
            throw .encoding("\(error)")
        }
    }

    private static func load(certPath: String, keyPath: String) throws(CertificateError) -> LocalCertificateAuthority? {
        let certBytes: [UInt8]?
        let keyBytes: [UInt8]?
        do {
            certBytes = try AtomicFile.read(certPath)
            keyBytes = try AtomicFile.read(keyPath)
        } catch {
            throw .io(error.description)
        }
        switch (certBytes, keyBytes) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw .unreadable(path: keyPath, reason: "missing, but its certificate \(certPath) exists")
        case (nil, .some):
            throw .unreadable(path: certPath, reason: "missing, but its key \(keyPath) exists")
        case (.some(let certBytes), .some(let keyBytes)):
            let certificate: Certificate
            let key: P256.Signing.PrivateKey
            do {
                certificate = try Certificate(pemEncoded: String(decoding: certBytes, as: UTF8.self))
            } catch {
                throw .unreadable(path: certPath, reason: "not a PEM certificate")
            }
            do {
                key = try P256.Signing.PrivateKey(pemRepresentation: String(decoding: keyBytes, as: UTF8.self))
            } catch {
                throw .unreadable(path: keyPath, reason: "not a PEM P-256 private key")
            }
            guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
                throw .unreadable(path: keyPath, reason: "does not belong to the certificate \(certPath)")
            }
            return LocalCertificateAuthority(certificatePath: certPath, certificate: certificate, key: key)
        }
    }

    private static func create(certPath: String, keyPath: String, now: Date) throws(CertificateError) -> LocalCertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let certificate: Certificate
        do {
            let user = ProcessInfo.processInfo.environment["USER"] ?? "user"
            let host = ProcessInfo.processInfo.hostName
            let name = try DistinguishedName {
                OrganizationName("Burrow local CA")
                CommonName("Burrow local CA \(user)@\(host)")
            }
            let publicKey = Certificate.PublicKey(key.publicKey)
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                Critical(NameConstraints(permittedDNSDomains: [domain]))
                SubjectKeyIdentifier(hash: publicKey)
            }
            certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: now.addingTimeInterval(-3_600),
                notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(key)
            )
        } catch {
            throw .encoding("\(error)")
        }
        do {
            // The key first: a crash between the two leaves a key without a
            // certificate, which `load` names instead of replacing.
            try AtomicFile.write(Array((key.pemRepresentation + "\n").utf8), to: keyPath, mode: 0o600)
            let pem = try certificate.serializeAsPEM().pemString + "\n"
            try AtomicFile.write(Array(pem.utf8), to: certPath, mode: 0o644)
        } catch let error as ConfigError {
            throw .io(error.description)
        } catch {
            throw .encoding("\(error)")
        }
        return LocalCertificateAuthority(certificatePath: certPath, certificate: certificate, key: key)
    }
}

extension LocalCertificateAuthority {
    /// SHA-256 of the certificate (DER), colon-separated hex as browsers show it.
    public var fingerprint: String {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(certificate)) != nil else { return "?" }
        return SHA256.hash(data: serializer.serializedBytes).map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined(separator: ":")
    }
}
