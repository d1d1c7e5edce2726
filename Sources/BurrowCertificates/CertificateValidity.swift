import Foundation
import X509

/// When a PEM certificate stops being valid, and when to renew it: at two
/// thirds of its lifetime (Let's Encrypt's advice, RFC 8555 ARI aside),
/// spread by up to 5 % so a fleet of names does not renew in one burst.
public enum CertificateValidity {
    public static func notValidAfter(pem: String) throws -> Date {
        try Certificate(pemEncoded: pem).notValidAfter
    }

    public static func renewalDate(pem: String, jitter: Double = Double.random(in: 0...0.05)) throws -> Date {
        let certificate = try Certificate(pemEncoded: pem)
        let lifetime = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore)
        return certificate.notValidBefore.addingTimeInterval(lifetime * (2.0 / 3.0 - jitter))
    }
}
