import Foundation
import SwiftASN1
import X509

/// When a certificate stops being valid, and when to renew it: at two thirds
/// of its lifetime (Let's Encrypt's advice), spread by up to 5 % so a fleet
/// of names does not renew in one burst. `pem` may be a whole chain: the
/// first certificate (the leaf) is the one that counts.
public enum CertificateValidity {
    public static func leaf(pem: String) throws -> Certificate {
        let documents = try PEMDocument.parseMultiple(pemString: pem)
        guard let first = documents.first(where: { $0.discriminator == "CERTIFICATE" }) else {
            throw CertificateError.unreadable(path: "certificate", reason: "no CERTIFICATE block")
        }
        return try Certificate(pemDocument: first)
    }

    public static func notValidAfter(pem: String) throws -> Date {
        try leaf(pem: pem).notValidAfter
    }

    public static func renewalDate(pem: String, jitter: Double = Double.random(in: 0...0.05)) throws -> Date {
        let certificate = try leaf(pem: pem)
        let lifetime = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore)
        return certificate.notValidBefore.addingTimeInterval(lifetime * (2.0 / 3.0 - jitter))
    }
}
