import Crypto
import Foundation

/// The ACME account's key (ES256, P-256) and what RFC 8555 derives from it:
/// the public JWK, its RFC 7638 thumbprint and a challenge's key authorization.
public struct ACMEAccountKey: Sendable {
    /// The key's raw scalar: swift-crypto's key type is not `Sendable` on Linux.
    let raw: [UInt8]

    public init(privateKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey()) {
        raw = Array(privateKey.rawRepresentation)
    }

    public var privateKey: P256.Signing.PrivateKey {
        // `raw` came from a valid key, so this cannot fail.
        try! P256.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// The public key as a JWK with exactly the required members in
    /// lexicographic order and no whitespace: this string is both the `jwk`
    /// header and the input of the thumbprint (RFC 7638 §3.2).
    public var jwk: String {
        let raw = Array(privateKey.publicKey.x963Representation)  // 0x04 || X || Y
        let x = Base64URL.encode(raw[1..<33])
        let y = Base64URL.encode(raw[33..<65])
        return #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
    }

    /// base64url(SHA-256(jwk)) (RFC 7638).
    public var thumbprint: String {
        Base64URL.encode(SHA256.hash(data: Array(jwk.utf8)))
    }

    /// `token.thumbprint` (RFC 8555 §8.1): what an HTTP-01 answer serves and
    /// what a TLS-ALPN-01 certificate hashes.
    public func keyAuthorization(token: String) -> String {
        token + "." + thumbprint
    }
}
