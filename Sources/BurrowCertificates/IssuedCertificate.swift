import Foundation

/// A leaf certificate ready for a TLS server: the PEM chain (leaf first, then
/// the issuer) and the PEM private key that belongs to the leaf.
public struct IssuedCertificate: Sendable, Equatable {
    public var names: [String]
    public var chainPEM: String
    public var privateKeyPEM: String
    public var notValidAfter: Date

    public init(names: [String], chainPEM: String, privateKeyPEM: String, notValidAfter: Date) {
        self.names = names
        self.chainPEM = chainPEM
        self.privateKeyPEM = privateKeyPEM
        self.notValidAfter = notValidAfter
    }
}
