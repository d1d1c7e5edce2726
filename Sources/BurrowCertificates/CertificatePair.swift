import Crypto
import Foundation
import SwiftASN1
import X509

/// A PEM chain and a PEM key checked to belong together, the leaf first and
/// not yet expired: what `--tls-cert`/`--tls-key` files and the state
/// directory are read through, so a bad renewal never replaces a good pair.
public struct CertificatePair: Sendable {
    public let names: [String]
    public let notValidAfter: Date

    public static func check(chainPEM: String, keyPEM: String, chainPath: String, keyPath: String, now: Date = Date()) throws(CertificateError) -> CertificatePair {
        let leaf: Certificate
        do {
            let documents = try PEMDocument.parseMultiple(pemString: chainPEM)
            guard let first = documents.first(where: { $0.discriminator == "CERTIFICATE" }) else {
                throw CertificateError.unreadable(path: chainPath, reason: "no CERTIFICATE block")
            }
            leaf = try Certificate(pemDocument: first)
        } catch let error as CertificateError {
            throw error
        } catch {
            throw .unreadable(path: chainPath, reason: "not a PEM certificate chain")
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyPEM)
        } catch {
            throw .unreadable(path: keyPath, reason: "not a PEM private key (PKCS #8, SEC 1 or RSA)")
        }
        guard key.publicKey == leaf.publicKey else {
            throw .unreadable(path: keyPath, reason: "does not belong to the first certificate of \(chainPath)")
        }
        guard leaf.notValidAfter > now else {
            throw .unreadable(path: chainPath, reason: "expired on \(leaf.notValidAfter)")
        }
        var names: [String] = []
        if let alternatives = try? leaf.extensions.subjectAlternativeNames {
            for name in alternatives { if case .dnsName(let dns) = name { names.append(dns.lowercased()) } }
        }
        return CertificatePair(names: names, notValidAfter: leaf.notValidAfter)
    }

    /// Does this certificate cover `host` (exactly, or by a one-label `*.` wildcard)?
    public func covers(_ host: String) -> Bool {
        let host = host.lowercased()
        return names.contains { name in
            if name == host { return true }
            guard name.hasPrefix("*."), let dot = host.firstIndex(of: ".") else { return false }
            return host[dot...] == name.dropFirst(1) && host[..<dot].isEmpty == false
        }
    }
}
