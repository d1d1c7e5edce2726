import Crypto
import Foundation

/// A JWS in flattened JSON serialization (RFC 7515 §7.2.2), the only body an
/// ACME server accepts on POST (RFC 8555 §6.2).
enum JWS {
    /// `payload` nil makes a POST-as-GET (empty payload, §6.3). `accountURL`
    /// nil puts the public key (`jwk`) in the header: only newAccount and
    /// revocation by certificate key do that; everything else uses `kid`.
    static func sign(payload: [UInt8]?, url: String, nonce: String, key: ACMEAccountKey, accountURL: String?) throws -> [UInt8] {
        let identity = accountURL.map { #""kid":\#(quoted($0))"# } ?? #""jwk":\#(key.jwk)"#
        let protected = #"{"alg":"ES256",\#(identity),"nonce":\#(quoted(nonce)),"url":\#(quoted(url))}"#
        let protected64 = Base64URL.encode(Array(protected.utf8))
        let payload64 = payload.map { Base64URL.encode($0) } ?? ""
        let signingInput = Array("\(protected64).\(payload64)".utf8)
        // ES256 is r || s, 32 bytes each (RFC 7518 §3.4), not DER.
        let signature = try key.privateKey.signature(for: signingInput).rawRepresentation
        let body = #"{"protected":"\#(protected64)","payload":"\#(payload64)","signature":"\#(Base64URL.encode(signature))"}"#
        return Array(body.utf8)
    }

    /// A JSON string literal (URLs and nonces from the server are escaped, not trusted).
    static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
