import Crypto
import Foundation

/// OpenSSH's ed25519 key formats: the `openssh-key-v1` private key file
/// (unencrypted), the one-line public key and the SHA256 fingerprint, all
/// byte-compatible with `ssh-keygen`.
public enum OpenSSHKey {
    static let keyType = "ssh-ed25519"
    static let magic = Array("openssh-key-v1".utf8) + [0]
    static let beginMarker = "-----BEGIN OPENSSH PRIVATE KEY-----"
    static let endMarker = "-----END OPENSSH PRIVATE KEY-----"

    /// Reads an `openssh-key-v1` ed25519 private key; `path` only names the
    /// file in error messages.
    public static func parsePrivateKey(_ text: String, path: String) throws(ConfigError) -> (key: Curve25519.Signing.PrivateKey, comment: String) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: beginMarker),
              let end = lines[begin...].firstIndex(of: endMarker)
        else {
            if text.contains("BEGIN ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
                throw .encryptedKey(path: path)
            }
            throw .invalidKey(path: path, reason: "no '\(beginMarker)' block (PEM/PKCS#8 keys are not supported)")
        }
        guard let blob = Data(base64Encoded: lines[(begin + 1)..<end].joined()) else {
            throw .invalidKey(path: path, reason: "the key block is not valid base64")
        }
        var reader = SSHWireReader(Array(blob))
        guard reader.readBytes(magic.count).map(Array.init) == magic else {
            throw .invalidKey(path: path, reason: "not an openssh-key-v1 key")
        }
        guard let cipher = reader.readText(), let kdf = reader.readText(), reader.readString() != nil,
              let count = reader.readUInt32()
        else { throw .invalidKey(path: path, reason: "the key header is truncated") }
        if cipher != "none" || kdf != "none" { throw .encryptedKey(path: path) }
        guard count == 1 else { throw .invalidKey(path: path, reason: "it holds \(count) keys, expected 1") }
        guard let publicBlob = reader.readString(), let privateSection = reader.readString() else {
            throw .invalidKey(path: path, reason: "the key body is truncated")
        }
        var publicReader = SSHWireReader(publicBlob)
        guard let publicType = publicReader.readText() else { throw .invalidKey(path: path, reason: "bad public key") }
        guard publicType == keyType else {
            throw .invalidKey(path: path, reason: "it is a \(publicType) key, only ssh-ed25519 is supported")
        }
        return try parsePrivateSection(privateSection, path: path)
    }

    private static func parsePrivateSection(_ section: [UInt8], path: String) throws(ConfigError) -> (key: Curve25519.Signing.PrivateKey, comment: String) {
        var reader = SSHWireReader(section)
        guard let check1 = reader.readUInt32(), let check2 = reader.readUInt32(), check1 == check2 else {
            throw .invalidKey(path: path, reason: "the check numbers differ (corrupt file or wrong passphrase)")
        }
        guard reader.readText() == keyType, let publicBytes = reader.readString(), publicBytes.count == 32,
              let secret = reader.readString(), secret.count == 64, let commentBytes = reader.readString()
        else { throw .invalidKey(path: path, reason: "the private part is not an ed25519 key") }
        // OpenSSH pads with 1, 2, 3…; anything else means a damaged file.
        let padding = reader.readBytes(reader.remaining).map(Array.init) ?? []
        guard padding.enumerated().allSatisfy({ $0.element == UInt8(truncatingIfNeeded: $0.offset + 1) }) else {
            throw .invalidKey(path: path, reason: "bad padding")
        }
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: secret[0..<32])
        } catch {
            throw .invalidKey(path: path, reason: "bad ed25519 seed")
        }
        // The stored public half must match the seed, or the file was tampered with.
        guard Array(key.publicKey.rawRepresentation) == publicBytes, Array(secret[32..<64]) == publicBytes else {
            throw .invalidKey(path: path, reason: "the public half does not match the private key")
        }
        return (key, String(decoding: commentBytes, as: UTF8.self))
    }

    /// The `openssh-key-v1` text `ssh-keygen` would write for this key, unencrypted.
    public static func encodePrivateKey(_ key: Curve25519.Signing.PrivateKey, comment: String) -> String {
        let publicBytes = Array(key.publicKey.rawRepresentation)
        let check = UInt32.random(in: 0...UInt32.max)
        var section = SSHWireWriter()
        section.writeUInt32(check)
        section.writeUInt32(check)
        section.writeText(keyType)
        section.writeString(publicBytes)
        section.writeString(Array(key.rawRepresentation) + publicBytes)
        section.writeText(comment)
        var pad: UInt8 = 1
        while section.bytes.count % 8 != 0 {
            section.writeRaw([pad])
            pad += 1
        }
        var body = SSHWireWriter()
        body.writeRaw(magic)
        body.writeText("none")
        body.writeText("none")
        body.writeText("")
        body.writeUInt32(1)
        body.writeString(publicKeyBlob(key.publicKey))
        body.writeString(section.bytes)
        let base64 = Data(body.bytes).base64EncodedString()
        var lines = [beginMarker]
        var index = base64.startIndex
        while index < base64.endIndex {
            let next = base64.index(index, offsetBy: 70, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<next]))
            index = next
        }
        lines.append(endMarker)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `ssh-ed25519 AAAA… comment` (no comment part when `comment` is empty).
    public static func publicKeyLine(_ key: Curve25519.Signing.PublicKey, comment: String) -> String {
        let base = "\(keyType) \(Data(publicKeyBlob(key)).base64EncodedString())"
        return comment.isEmpty ? base : "\(base) \(comment)"
    }

    /// Reads `ssh-ed25519 AAAA… [comment]`.
    public static func parsePublicKeyLine(_ line: String) throws(ConfigError) -> Curve25519.Signing.PublicKey {
        let fields = line.split(whereSeparator: \.isWhitespace)
        let shown = line.count > 40 ? String(line.prefix(40)) + "…" : line
        guard fields.count >= 2 else {
            throw .invalidKey(path: "'\(shown)'", reason: "expected 'ssh-ed25519 AAAA… [comment]'")
        }
        guard fields[0] == keyType else {
            throw .invalidKey(path: "'\(shown)'", reason: "key type '\(fields[0])', only ssh-ed25519 is supported")
        }
        guard let blob = Data(base64Encoded: String(fields[1])) else {
            throw .invalidKey(path: "'\(shown)'", reason: "the key is not valid base64")
        }
        var reader = SSHWireReader(Array(blob))
        guard reader.readText() == keyType, let raw = reader.readString(), raw.count == 32, reader.remaining == 0,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { throw .invalidKey(path: "'\(shown)'", reason: "the key blob is not an ed25519 public key") }
        return key
    }

    /// `type base64` of an OpenSSH public-key line, without the comment: what identifies a key.
    public static func keyText(_ line: String) -> String {
        line.split(whereSeparator: \.isWhitespace).prefix(2).joined(separator: " ")
    }

    /// The fingerprint of any key type's OpenSSH line; nil when its second
    /// field is not base64.
    public static func fingerprint(ofLine line: String) -> String? {
        let fields = line.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 2, let blob = Data(base64Encoded: String(fields[1])) else { return nil }
        return fingerprint(blob: Array(blob))
    }

    /// `SHA256:…` exactly as `ssh-keygen -l` prints it (base64, no padding).
    public static func fingerprint(_ key: Curve25519.Signing.PublicKey) -> String {
        fingerprint(blob: publicKeyBlob(key))
    }

    /// The same for any key type, from its wire blob (the base64 field of its
    /// OpenSSH line): the one place Burrow formats a fingerprint.
    public static func fingerprint(blob: [UInt8]) -> String {
        let base64 = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + base64.replacingOccurrences(of: "=", with: "")
    }

    /// The wire form of the public key: string "ssh-ed25519", string key.
    public static func publicKeyBlob(_ key: Curve25519.Signing.PublicKey) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.writeText(keyType)
        writer.writeString(Array(key.rawRepresentation))
        return writer.bytes
    }
}
