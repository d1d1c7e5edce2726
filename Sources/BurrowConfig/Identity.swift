import Crypto
import Foundation

/// The agent's SSH key: an ed25519 key kept in OpenSSH format, so the same
/// file works with `ssh -i` and a key made by `ssh-keygen` works with Burrow.
public struct Identity: Sendable {
    public static let fileName = "identity"
    public static let publicFileName = "identity.pub"

    /// The 32-byte ed25519 seed. Kept as bytes because swift-crypto's key
    /// type is not `Sendable` on Linux, and an identity crosses tasks.
    private let seed: [UInt8]
    public let comment: String

    public init(privateKey: Curve25519.Signing.PrivateKey, comment: String) {
        self.seed = Array(privateKey.rawRepresentation)
        self.comment = comment
    }

    /// The signing key (rebuilt from the seed; cheap).
    public var privateKey: Curve25519.Signing.PrivateKey {
        // The seed came from a valid key, so this cannot fail.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    /// `ssh-ed25519 AAAA… comment`, as in `identity.pub`.
    public var publicKeyLine: String {
        OpenSSHKey.publicKeyLine(privateKey.publicKey, comment: comment)
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    public var fingerprint: String {
        OpenSSHKey.fingerprint(privateKey.publicKey)
    }

    /// Loads an unencrypted OpenSSH ed25519 private key file.
    public static func load(path: String) throws(ConfigError) -> Identity {
        guard let bytes = try AtomicFile.read(path) else { throw .invalidKey(path: path, reason: "the file does not exist") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidKey(path: path, reason: "the file is not text")
        }
        let parsed = try OpenSSHKey.parsePrivateKey(text, path: path)
        return Identity(privateKey: parsed.key, comment: parsed.comment)
    }

    /// Loads `DIRECTORY/identity`, creating it (mode 0600) and `identity.pub`
    /// on first use. Creation runs under a lock so two first runs at once end
    /// up with one key.
    public static func loadOrCreate(directory: String) throws(ConfigError) -> Identity {
        try AtomicFile.makeDirectory(directory)
        let path = "\(directory)/\(fileName)"
        let publicPath = "\(directory)/\(publicFileName)"
        return try FileLock.withLockTyped("\(directory)/.identity.lock") { () throws(ConfigError) -> Identity in
            let identity: Identity
            if AtomicFile.exists(path) {
                identity = try load(path: path)
            } else {
                identity = Identity(privateKey: Curve25519.Signing.PrivateKey(), comment: defaultComment())
                let text = OpenSSHKey.encodePrivateKey(identity.privateKey, comment: identity.comment)
                try AtomicFile.write(Array(text.utf8), to: path, mode: 0o600)
            }
            if !AtomicFile.exists(publicPath) {
                try AtomicFile.write(Array((identity.publicKeyLine + "\n").utf8), to: publicPath, mode: 0o644)
            }
            return identity
        }
    }

    /// `burrow@HOSTNAME`, so a relay operator can tell keys apart.
    static func defaultComment() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "burrow" }
        let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return host.isEmpty ? "burrow" : "burrow@\(host)"
    }
}
