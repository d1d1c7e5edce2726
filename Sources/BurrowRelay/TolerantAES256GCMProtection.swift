import NIOSSH

/// `aes256-gcm@openssh.com`, see `TolerantAESGCMProtection`.
final class TolerantAES256GCMProtection: TolerantAESGCMProtection {
    override class var cipherName: String { "aes256-gcm@openssh.com" }
    override class var keySizes: ExpectedKeySizes { .init(ivSize: 12, encryptionKeySize: 32, macKeySize: 16) }
}
