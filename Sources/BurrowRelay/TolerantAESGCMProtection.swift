import Crypto
import Foundation
import NIOCore
import NIOSSH

/// The relay's `aes*-gcm@openssh.com` transport protection: the same cipher
/// as NIOSSH's bundled one (which is internal, so it is written again here
/// from its source), plus one repair after the packet is authenticated.
///
/// Why: NIOSSH 0.15 parses a channel request type it does not know (OpenSSH's
/// `x11-req` from `ssh -X`, `break`, …) as `.unknown` without reading its
/// type-specific fields, then finds bytes left in the packet and drops the
/// whole connection with `invalidPacketFormat`. Trimming those fields (after
/// the GCM tag checked out) lets NIOSSH answer the request with a plain
/// channel failure, as it already does for `auth-agent-req@openssh.com`
/// (`ssh -A`): the client prints "X11 forwarding request failed" and goes on.
///
/// Subclasses give the key size (one per negotiated cipher name).
class TolerantAESGCMProtection {
    class var cipherName: String { fatalError("subclass") }
    class var keySizes: ExpectedKeySizes { fatalError("subclass") }

    private var outboundKey: SymmetricKey
    private var inboundKey: SymmetricKey
    private var outboundNonce: Nonce
    private var inboundNonce: Nonce

    /// Channel request types NIOSSH 0.15 reads completely (SSHMessages.swift).
    static let requestTypesNIOSSHReads: Set<String> = [
        "exec", "exit-status", "env", "exit-signal", "pty-req", "shell", "subsystem", "window-change", "xon-xoff", "signal",
    ]
    static let channelRequestMessage: UInt8 = 98

    required init(initialKeys: NIOSSHSessionKeys) throws {
        (outboundKey, inboundKey, outboundNonce, inboundNonce) = try Self.state(initialKeys)
    }

    /// Keys and nonces from a key exchange's output, its key sizes checked.
    private static func state(_ keys: NIOSSHSessionKeys) throws -> (SymmetricKey, SymmetricKey, Nonce, Nonce) {
        guard keys.outboundEncryptionKey.bitCount == keySizes.encryptionKeySize * 8,
            keys.inboundEncryptionKey.bitCount == keySizes.encryptionKeySize * 8
        else { throw RelayError.refused("unexpected AES-GCM key size") }
        return (keys.outboundEncryptionKey, keys.inboundEncryptionKey, try Nonce(keys.initialOutboundIV), try Nonce(keys.initialInboundIV))
    }

    /// RFC 5647 §7.1: a 4-byte fixed field and a 64-bit big-endian counter.
    struct Nonce {
        private var fixed: [UInt8]
        private var counter: UInt64

        init(_ bytes: [UInt8]) throws {
            guard bytes.count == 12 else { throw RelayError.refused("AES-GCM IV must be 12 bytes") }
            fixed = Array(bytes[0..<4])
            counter = bytes[4..<12].reduce(0) { $0 << 8 | UInt64($1) }
        }

        mutating func increment() { counter &+= 1 }

        var gcmNonce: AES.GCM.Nonce {
            get throws {
                var bytes = fixed
                withUnsafeBytes(of: counter.bigEndian) { bytes.append(contentsOf: $0) }
                return try AES.GCM.Nonce(data: bytes)
            }
        }
    }

    /// The payload with the type-specific fields of a channel request NIOSSH
    /// cannot read cut off (see the type's comment); anything else unchanged.
    static func trimmingUnknownChannelRequest(_ payload: ByteBuffer) -> ByteBuffer {
        var reader = payload
        guard reader.readInteger(as: UInt8.self) == channelRequestMessage,
            reader.readInteger(as: UInt32.self) != nil,
            let typeLength = reader.readInteger(as: UInt32.self), typeLength <= 256,
            let type = reader.readString(length: Int(typeLength)),
            reader.readInteger(as: UInt8.self) != nil,  // want-reply
            reader.readableBytes > 0, !requestTypesNIOSSHReads.contains(type)
        else { return payload }
        return payload.getSlice(at: payload.readerIndex, length: reader.readerIndex - payload.readerIndex) ?? payload
    }
}

extension TolerantAESGCMProtection: NIOSSHTransportProtection {
    static var macName: String? { nil }
    static var cipherBlockSize: Int { 16 }
    var macBytes: Int { 16 }
    var lengthEncrypted: Bool { false }

    func updateKeys(_ newKeys: NIOSSHSessionKeys) throws {
        (outboundKey, inboundKey, outboundNonce, inboundNonce) = try Self.state(newKeys)
    }

    func decryptFirstBlock(_: inout ByteBuffer) throws {
        // The length is sent in the clear (authenticated as associated data).
    }

    func decryptAndVerifyRemainingPacket(_ source: inout ByteBuffer, sequenceNumber _: UInt32) throws -> ByteBuffer {
        var plaintext: Data
        do {
            guard let lengthView = source.readSlice(length: 4)?.readableBytesView,
                let ciphertextView = source.readSlice(length: source.readableBytes - 16)?.readableBytesView,
                let tagView = source.readSlice(length: 16)?.readableBytesView,
                ciphertextView.count > 0, ciphertextView.count % Self.cipherBlockSize == 0
            else { throw RelayError.refused("encrypted packet length does not fit AES-GCM") }
            let box = try AES.GCM.SealedBox(nonce: inboundNonce.gcmNonce, ciphertext: ciphertextView, tag: tagView)
            plaintext = try AES.GCM.open(box, using: inboundKey, authenticating: lengthView)
            guard plaintext.count % Self.cipherBlockSize == 0, plaintext.count == ciphertextView.count else {
                throw RelayError.refused("decrypted packet length does not fit AES-GCM")
            }
        }
        inboundNonce.increment()
        // First byte: padding length; then the payload; then the padding.
        guard let padding = plaintext.first, Int(padding) + 1 <= plaintext.count, padding >= 4 else {
            throw RelayError.refused("AES-GCM packet padding is invalid")
        }
        plaintext = plaintext.dropFirst().dropLast(Int(padding))
        // Written back over the bytes just read (the payload is shorter than
        // the ciphertext), so no new buffer is needed.
        let start = source.readerIndex - plaintext.count
        source.setBytes(plaintext, at: start)
        source.moveReaderIndex(to: start)
        let payload = source.readSlice(length: plaintext.count)!
        return Self.trimmingUnknownChannelRequest(payload)
    }

    func encryptPacket(_ destination: inout ByteBuffer, sequenceNumber _: UInt32) throws {
        let lengthIndex = destination.readerIndex
        let paddingIndex = lengthIndex + 4
        let encryptedSize = destination.readableBytes - 4
        let box = try AES.GCM.seal(
            destination.viewBytes(at: paddingIndex, length: encryptedSize)!, using: outboundKey,
            nonce: outboundNonce.gcmNonce, authenticating: destination.viewBytes(at: lengthIndex, length: 4)!)
        destination.setContiguousBytes(box.ciphertext, at: paddingIndex)
        destination.writeContiguousBytes(box.tag)
        outboundNonce.increment()
    }
}
