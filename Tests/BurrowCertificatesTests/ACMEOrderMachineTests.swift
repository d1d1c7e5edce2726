import BurrowTestSupport
import Crypto
import Foundation
import Testing
import X509
@testable import BurrowCertificates

/// The RFC 8555 exchange as values: a recorded conversation (shaped like
/// RFC 8555 §7's examples and pebble's answers) is replayed into the machine,
/// and every request it makes is checked — method, URL, and a JWS whose
/// signature, nonce, url and key id a server would accept.
@Suite(.spawnsProcesses) struct ACMEOrderMachineTests {
    static let base = "https://acme.test:14000"
    static let directory = #"{"newNonce":"\#(base)/nonce-plz","newAccount":"\#(base)/sign-me-up","newOrder":"\#(base)/order-plz","revokeCert":"\#(base)/revoke-cert","keyChange":"\#(base)/rollover-account-key","meta":{"termsOfService":"data:text/plain,Do%20what%20thou%20wilt"}}"#

    static func response(_ status: Int, _ body: String = "", nonce: String? = nil, location: String? = nil, retryAfter: String? = nil) -> ACMEResponse {
        var headers: [String: String] = [:]
        if let nonce { headers["Replay-Nonce"] = nonce }
        if let location { headers["Location"] = location }
        if let retryAfter { headers["Retry-After"] = retryAfter }
        return ACMEResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    struct SignedRequest {
        var header: [String: Any]
        var payload: String
    }

    /// Decodes a flattened JWS and checks its ES256 signature with `key`.
    static func open(_ request: ACMERequest, key: ACMEAccountKey) throws -> SignedRequest {
        let body = try #require(request.body)
        let jws = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: String])
        let protected64 = try #require(jws["protected"]), payload64 = try #require(jws["payload"]), signature64 = try #require(jws["signature"])
        let signatureBytes = try #require(Base64URL.decode(signature64))
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: signatureBytes)
        #expect(key.privateKey.publicKey.isValidSignature(signature, for: Array("\(protected64).\(payload64)".utf8)))
        let protectedBytes = try #require(Base64URL.decode(protected64))
        let header = try #require(try JSONSerialization.jsonObject(with: Data(protectedBytes)) as? [String: Any])
        #expect(header["alg"] as? String == "ES256")
        #expect(header["url"] as? String == request.url)
        let payloadBytes = try #require(Base64URL.decode(payload64))
        return SignedRequest(header: header, payload: String(decoding: payloadBytes, as: UTF8.self))
    }

    static func sent(_ action: ACMEOrderMachine.Action) throws -> ACMERequest {
        guard case .send(let request) = action else {
            Issue.record("expected a request, got \(action)")
            throw CancellationError()
        }
        return request
    }

    @Test func wholeOrderWithHTTP01() throws {
        let key = ACMEAccountKey()
        let csr = try ACMECertificateRequest(names: ["web.burrow.test"])
        var machine = ACMEOrderMachine(directoryURL: Self.base + "/dir", names: ["web.burrow.test"], challengeType: .http01, accountKey: key, contactEmail: "ops@burrow.test", csrDER: csr.der)

        var request = try Self.sent(machine.start())
        #expect(request == ACMERequest(method: .get, url: Self.base + "/dir", body: nil))

        request = try Self.sent(machine.receive(Self.response(200, Self.directory)))
        #expect(request.method == .head && request.url == Self.base + "/nonce-plz")

        request = try Self.sent(machine.receive(Self.response(200, nonce: "n1")))
        var signed = try Self.open(request, key: key)
        #expect(request.url == Self.base + "/sign-me-up")
        #expect(signed.header["nonce"] as? String == "n1")
        #expect(signed.header["kid"] == nil)
        let jwk = try #require(signed.header["jwk"] as? [String: String])
        #expect(jwk["kty"] == "EC" && jwk["crv"] == "P-256")
        #expect(signed.payload.contains(#""termsOfServiceAgreed":true"#) && signed.payload.contains("mailto:ops@burrow.test"))

        let account = Self.base + "/my-account/1"
        request = try Self.sent(machine.receive(Self.response(201, #"{"status":"valid"}"#, nonce: "n2", location: account)))
        signed = try Self.open(request, key: key)
        #expect(request.url == Self.base + "/order-plz")
        #expect(signed.header["kid"] as? String == account && signed.header["jwk"] == nil)
        #expect(signed.payload == #"{"identifiers":[{"type":"dns","value":"web.burrow.test"}]}"#)

        let order = #"{"status":"pending","expires":"2026-12-12T00:00:00Z","identifiers":[{"type":"dns","value":"web.burrow.test"}],"finalize":"\#(Self.base)/finalize/7","authorizations":["\#(Self.base)/authZ/a1"]}"#
        request = try Self.sent(machine.receive(Self.response(201, order, nonce: "n3", location: Self.base + "/my-order/7")))
        signed = try Self.open(request, key: key)
        #expect(request.url == Self.base + "/authZ/a1" && signed.payload.isEmpty)  // POST-as-GET

        let authorization = #"{"status":"pending","identifier":{"type":"dns","value":"web.burrow.test"},"challenges":[{"type":"tls-alpn-01","url":"\#(Self.base)/chalZ/t","token":"tok-alpn","status":"pending"},{"type":"http-01","url":"\#(Self.base)/chalZ/h","token":"tok-http","status":"pending"}]}"#
        let provision = machine.receive(Self.response(200, authorization, nonce: "n4"))
        #expect(provision == .provision(name: "web.burrow.test", type: .http01, token: "tok-http", keyAuthorization: "tok-http." + key.thumbprint))

        request = try Self.sent(machine.challengeProvisioned())
        signed = try Self.open(request, key: key)
        #expect(request.url == Self.base + "/chalZ/h" && signed.payload == "{}" && signed.header["nonce"] as? String == "n4")

        #expect(machine.receive(Self.response(200, #"{"type":"http-01","status":"processing"}"#, nonce: "n5", retryAfter: "3")) == .wait(seconds: 3))
        request = try Self.sent(machine.resume())
        #expect(request.url == Self.base + "/authZ/a1")
        // Still pending: wait again (Retry-After absent: one second).
        #expect(machine.receive(Self.response(200, authorization, nonce: "n6")) == .wait(seconds: 1))
        request = try Self.sent(machine.resume())
        let valid = authorization.replacingOccurrences(of: #"{"status":"pending","identifier""#, with: #"{"status":"valid","identifier""#)
        request = try Self.sent(machine.receive(Self.response(200, valid, nonce: "n7")))
        signed = try Self.open(request, key: key)
        #expect(request.url == Self.base + "/finalize/7")
        #expect(signed.payload == #"{"csr":"\#(Base64URL.encode(csr.der))"}"#)

        let processing = order.replacingOccurrences(of: #""status":"pending""#, with: #""status":"processing""#)
        #expect(machine.receive(Self.response(200, processing, nonce: "n8", retryAfter: "600")) == .wait(seconds: 60))  // bounded
        request = try Self.sent(machine.resume())
        #expect(request.url == Self.base + "/my-order/7")
        let done = order.replacingOccurrences(of: #""status":"pending""#, with: #""status":"valid","certificate":"\#(Self.base)/certZ/c1""#)
        request = try Self.sent(machine.receive(Self.response(200, done, nonce: "n9")))
        #expect(request.url == Self.base + "/certZ/c1")
        let chain = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        #expect(machine.receive(Self.response(200, chain, nonce: "n10")) == .finished(chainPEM: chain))
    }

    @Test func badNonceIsRetriedWithTheFreshNonce() throws {
        let key = ACMEAccountKey()
        var machine = ACMEOrderMachine(directoryURL: Self.base + "/dir", names: ["a.test"], challengeType: .http01, accountKey: key, contactEmail: nil, csrDER: [1])
        _ = machine.start()
        _ = machine.receive(Self.response(200, Self.directory))
        let first = try Self.sent(machine.receive(Self.response(200, nonce: "old")))
        let problem = #"{"type":"urn:ietf:params:acme:error:badNonce","detail":"JWS has an invalid anti-replay nonce","status":400}"#
        let retry = try Self.sent(machine.receive(Self.response(400, problem, nonce: "fresh")))
        #expect(retry.url == first.url)
        let signed = try Self.open(retry, key: key)
        #expect(signed.header["nonce"] as? String == "fresh" && signed.header["jwk"] != nil)
        #expect(!signed.payload.contains("contact"))
    }

    /// A machine for `a.test` that has its account and asks for an order
    /// (`ordered`: the order came back and its authorization is being fetched).
    static func machine(_ type: ACMEOrderMachine.ChallengeType, ordered: Bool) -> ACMEOrderMachine {
        var machine = ACMEOrderMachine(directoryURL: base + "/dir", names: ["a.test"], challengeType: type, accountKey: ACMEAccountKey(), contactEmail: nil, csrDER: [1])
        _ = machine.start()
        _ = machine.receive(response(200, directory))
        _ = machine.receive(response(200, nonce: "n1"))
        _ = machine.receive(response(201, "{}", nonce: "n2", location: base + "/acct"))
        if ordered {
            _ = machine.receive(response(201, #"{"status":"pending","finalize":"f","authorizations":["\#(base)/authz"]}"#, nonce: "n3", location: base + "/order"))
        }
        return machine
    }

    @Test func aRefusalNamesTheACMEError() throws {
        var machine = Self.machine(.http01, ordered: false)
        let problem = #"{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"Error creating new order :: Cannot issue for \"a.test\"","status":400}"#
        #expect(machine.receive(Self.response(400, problem, nonce: "n3")) == .failed(reason: #"rejectedIdentifier: Error creating new order :: Cannot issue for "a.test""#))
    }

    @Test func anInvalidAuthorizationSaysWhy() throws {
        var machine = Self.machine(.tlsALPN01, ordered: true)
        let invalid = #"{"status":"invalid","identifier":{"type":"dns","value":"a.test"},"challenges":[{"type":"tls-alpn-01","url":"u","token":"t","status":"invalid","error":{"type":"urn:ietf:params:acme:error:connection","detail":"Connection refused"}}]}"#
        #expect(machine.receive(Self.response(200, invalid, nonce: "n4")) == .failed(reason: "a.test: authorization invalid: connection: Connection refused"))
    }

    @Test func noOfferedChallengeOfOurKind() throws {
        var machine = Self.machine(.tlsALPN01, ordered: true)
        let dnsOnly = #"{"status":"pending","identifier":{"type":"dns","value":"a.test"},"challenges":[{"type":"dns-01","url":"u","token":"t","status":"pending"}]}"#
        #expect(machine.receive(Self.response(200, dnsOnly, nonce: "n4")) == .failed(reason: "a.test: the server offers no tls-alpn-01 challenge (offers: dns-01)"))
    }

    /// RFC 7638 §3.1's procedure on a fixed P-256 key, checked against the
    /// same hash computed by OpenSSL from the same canonical JWK text.
    @Test func thumbprintIsSHA256OfTheCanonicalJWK() throws {
        let key = ACMEAccountKey()
        let jwk = try #require(try JSONSerialization.jsonObject(with: Data(key.jwk.utf8)) as? [String: String])
        #expect(Array(jwk.keys).sorted() == ["crv", "kty", "x", "y"])
        #expect(key.jwk.hasPrefix(#"{"crv":"P-256","kty":"EC","x":""#) && !key.jwk.contains(" "))
        let openssl = try SpawnedProcess.which("openssl")
        let dir = try LocalCertificateAuthorityTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try key.jwk.write(toFile: dir + "/jwk", atomically: true, encoding: .utf8)
        let digest = try SpawnedProcess.run(openssl, ["dgst", "-sha256", "-binary", "-out", dir + "/digest", dir + "/jwk"])
        #expect(digest.status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/digest"))
        #expect(Base64URL.encode(bytes) == key.thumbprint)
        #expect(key.keyAuthorization(token: "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA") == "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA." + key.thumbprint)
    }

    @Test func csrAndChallengeCertificateReadByOpenSSL() throws {
        let openssl = try SpawnedProcess.which("openssl")
        let dir = try LocalCertificateAuthorityTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csr = try ACMECertificateRequest(names: ["web.burrow.test", "api.burrow.test"])
        try Data(csr.der).write(to: URL(fileURLWithPath: dir + "/req.der"))
        let req = try SpawnedProcess.run(openssl, ["req", "-in", dir + "/req.der", "-inform", "DER", "-verify", "-noout", "-text"])
        #expect(req.status == 0, "\(req.stderr)")
        #expect(req.stdout.contains("DNS:web.burrow.test, DNS:api.burrow.test"))

        let challenge = try ACMEChallengeCertificate(name: "web.burrow.test", keyAuthorization: "token.thumb")
        try challenge.certificatePEM.write(toFile: dir + "/alpn.pem", atomically: true, encoding: .utf8)
        let text = try SpawnedProcess.run(openssl, ["x509", "-in", dir + "/alpn.pem", "-noout", "-text"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("1.3.6.1.5.5.7.1.31: critical"))
        #expect(text.stdout.contains("DNS:web.burrow.test"))
        // The extension's value is DER OCTET STRING (04 20) around SHA-256(keyAuthorization).
        let parsed = try Certificate(pemEncoded: challenge.certificatePEM)
        let acme = try #require(parsed.extensions.first { $0.oid == [1, 3, 6, 1, 5, 5, 7, 1, 31] })
        #expect(Array(acme.value) == [0x04, 0x20] + Array(SHA256.hash(data: Array("token.thumb".utf8))))
    }
}
