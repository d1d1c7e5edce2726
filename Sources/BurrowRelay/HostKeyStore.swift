import BurrowConfig
import Crypto
import Foundation

/// The relay's ed25519 host key in `STATE_DIR/host_key` (OpenSSH format,
/// 0600): made on first start, then always the same, so agents that pinned it
/// keep trusting the relay.
enum HostKeyStore {
    static func loadOrCreate(path: String) throws(RelayError) -> Curve25519.Signing.PrivateKey {
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw .hostKey(path, reason: error.description)
        }
        if let bytes {
            do {
                return try OpenSSHKey.parsePrivateKey(String(decoding: bytes, as: UTF8.self), path: path).key
            } catch {
                throw .hostKey(path, reason: error.description)
            }
        }
        let key = Curve25519.Signing.PrivateKey()
        let text = OpenSSHKey.encodePrivateKey(key, comment: "burrow-relay@\(ProcessInfo.processInfo.hostName)")
        do {
            try AtomicFile.write(Array(text.utf8), to: path, mode: 0o600)
        } catch {
            throw .hostKey(path, reason: error.description)
        }
        return key
    }
}
