import NIOSSH

/// `aes128-gcm@openssh.com`, see `TolerantAESGCMProtection`.
final class TolerantAES128GCMProtection: TolerantAESGCMProtection {
    override class var cipherName: String { "aes128-gcm@openssh.com" }
    override class var keySizes: ExpectedKeySizes { .init(ivSize: 12, encryptionKeySize: 16, macKeySize: 16) }
}
