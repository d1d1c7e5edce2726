import BurrowConfig
import Foundation
import NIOSSH

/// What the relay knows a client key by: its OpenSSH line (no comment) and its
/// `SHA256:` fingerprint, the name reservations are filed under.
struct PublicKeyIdentity: Sendable, Hashable {
    let key: NIOSSHPublicKey
    /// `ssh-ed25519 AAAA…`
    let line: String
    /// `SHA256:…` (unpadded base64 of the SHA-256 of the key blob), as `ssh-keygen -l` prints it.
    let fingerprint: String

    init(_ key: NIOSSHPublicKey) {
        self.key = key
        self.line = String(openSSHPublicKey: key)
        self.fingerprint = Self.fingerprint(ofLine: line) ?? "SHA256:?"
    }

    static func fingerprint(ofLine line: String) -> String? {
        OpenSSHKey.fingerprint(ofLine: line)
    }
}
