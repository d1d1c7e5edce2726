import BurrowConfig
import Crypto
import Foundation

/// Certificates and the ACME account key in the relay's state directory:
///
///     STATE/certificates/NAME.pem   the chain, leaf first (0644)
///     STATE/certificates/NAME.key   its private key (0600)
///     STATE/certificates/acme-account-HASH.pem   the account key per ACME directory (0600)
///
/// Every write is atomic (temp file, fsync, rename) and done under one lock
/// file, so two relays pointed at one state directory never leave a chain
/// beside another chain's key. A pair that does not belong together (or
/// cannot be read) is reported and ignored, never served.
public struct CertificateStore: Sendable {
    public let directory: String
    var lockPath: String { directory + "/.lock" }

    public init(stateDirectory: String) {
        directory = stateDirectory + "/certificates"
    }

    public func chainPath(_ name: String) -> String { directory + "/" + name.lowercased() + ".pem" }
    public func keyPath(_ name: String) -> String { directory + "/" + name.lowercased() + ".key" }

    public func save(_ issued: IssuedCertificate) throws(CertificateError) {
        guard let name = issued.names.first, DNSName.isValid(name.lowercased()) else {
            throw .nameNotAllowed(name: issued.names.first ?? "", reason: "not a DNS name")
        }
        try locked { () throws(CertificateError) in
            // Key first: a crash between the two leaves the old chain with a
            // new key, which `load` refuses as a mismatch rather than serving.
            try write(Array(issued.privateKeyPEM.utf8), to: keyPath(name), mode: 0o600)
            try write(Array(issued.chainPEM.utf8), to: chainPath(name), mode: 0o644)
        }
    }

    /// The stored certificate for `name`, nil when there is none. Throws when
    /// the files exist but are unusable (the caller logs it and obtains anew).
    public func load(_ name: String) throws(CertificateError) -> IssuedCertificate? {
        try locked { () throws(CertificateError) -> IssuedCertificate? in
            let chain: [UInt8]?, key: [UInt8]?
            do {
                chain = try AtomicFile.read(chainPath(name))
                key = try AtomicFile.read(keyPath(name))
            } catch {
                throw .io("\(error)")
            }
            guard let chain, let key else { return nil }
            let chainText = String(decoding: chain, as: UTF8.self), keyText = String(decoding: key, as: UTF8.self)
            let pair = try CertificatePair.check(chainPEM: chainText, keyPEM: keyText, chainPath: chainPath(name), keyPath: keyPath(name))
            return IssuedCertificate(names: [name.lowercased()], chainPEM: chainText, privateKeyPEM: keyText, notValidAfter: pair.notValidAfter)
        }
    }

    /// The account key for `directoryURL`, made and saved the first time, so
    /// a restarted relay keeps its ACME account (and its rate-limit history).
    public func accountKey(directoryURL: String) throws(CertificateError) -> ACMEAccountKey {
        let tag = SHA256.hash(data: Array(directoryURL.utf8)).prefix(6).map { String($0, radix: 16).leftPadded(2) }.joined()
        let path = directory + "/acme-account-\(tag).pem"
        return try locked { () throws(CertificateError) -> ACMEAccountKey in
            let existing: [UInt8]?
            do { existing = try AtomicFile.read(path) } catch { throw .io("\(error)") }
            if let existing {
                do {
                    return ACMEAccountKey(privateKey: try P256.Signing.PrivateKey(pemRepresentation: String(decoding: existing, as: UTF8.self)))
                } catch {
                    throw .unreadable(path: path, reason: "not a PEM P-256 private key")
                }
            }
            let key = ACMEAccountKey()
            try write(Array((key.privateKey.pemRepresentation + "\n").utf8), to: path, mode: 0o600)
            return key
        }
    }

    private func write(_ bytes: [UInt8], to path: String, mode: UInt32) throws(CertificateError) {
        do { try AtomicFile.write(bytes, to: path, mode: mode) } catch { throw .io("\(error)") }
    }

    private func locked<T>(_ body: () throws(CertificateError) -> T) throws(CertificateError) -> T {
        do {
            try AtomicFile.makeDirectory(directory)
            return try FileLock.withLock(lockPath) { () throws(CertificateError) -> T in try body() }
        } catch let error as CertificateError {
            throw error
        } catch {
            throw .io("\(directory): \(error)")
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
