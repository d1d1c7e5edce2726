import Foundation

/// The RFC 8555 exchange for one certificate, as a value: states carry their
/// data, `receive` is the only transition, and each step returns what the
/// driver must do next. Pure but for the ECDSA signatures it makes, so it is
/// tested by replaying recorded server answers (Tests/BurrowCertificatesTests).
///
///     directory → nonce → account → order → for each authorization:
///         fetch → (provision) → answer challenge → poll until valid
///     → finalize (CSR) → poll order until valid → download chain
public struct ACMEOrderMachine: Sendable {
    public enum ChallengeType: String, Sendable { case http01 = "http-01", tlsALPN01 = "tls-alpn-01" }

    /// What the driver does next.
    public enum Action: Sendable, Equatable {
        case send(ACMERequest)
        /// Make `keyAuthorization` answerable for `name` (HTTP-01: serve it at
        /// `/.well-known/acme-challenge/TOKEN`; TLS-ALPN-01: present a
        /// challenge certificate), then call `challengeProvisioned()`.
        case provision(name: String, type: ChallengeType, token: String, keyAuthorization: String)
        /// Sleep this many seconds (the server's Retry-After, bounded), then call `resume()`.
        case wait(seconds: Int)
        /// The PEM chain, leaf first. The challenge answers may be withdrawn.
        case finished(chainPEM: String)
        case failed(reason: String)
    }

    enum State: Sendable {
        case idle
        case directory
        case nonce(ACMEDirectory)
        case account(ACMEDirectory)
        case order(ACMEDirectory)
        case authorization(Progress)
        case provisioning(Progress, challenge: ACMEChallenge)
        case answering(Progress, challenge: ACMEChallenge)
        case pollingAuthorization(Progress)
        case finalizing(Progress)
        case pollingOrder(Progress)
        case downloading(Progress, certificateURL: String)
        case finished
        case failed
    }

    /// What an order in flight knows.
    struct Progress: Sendable {
        var directory: ACMEDirectory
        var orderURL: String
        var order: ACMEOrder
        /// Authorizations not yet valid; the first is being worked on.
        var pending: [String]
    }

    public let directoryURL: String
    public let names: [String]
    public let challengeType: ChallengeType
    let key: ACMEAccountKey
    let contact: String?
    let csrDER: [UInt8]
    /// Most badNonce retries in a row before giving up (RFC 8555 §6.5 says retry).
    /// Each retry carries the fresh nonce of the refusal, so only a server that
    /// refuses good nonces at random gets here: at pebble's 30 % test setting,
    /// 5 retries still failed one order in ~140 (seen once in CI-like runs);
    /// 10 make it one in ~50 000.
    static let maxNonceRetries = 10
    /// Polls per resource before giving up (a stuck server must not hold a name forever).
    static let maxPolls = 60

    private(set) var state: State = .idle
    private(set) var accountURL: String?
    private var nonce: String?
    private var lastRequest: ACMERequest?
    private var lastPayload: [UInt8]??
    private var nonceRetries = 0
    private var polls = 0
    private var retryAfter = 1

    public init(directoryURL: String, names: [String], challengeType: ChallengeType, accountKey: ACMEAccountKey, contactEmail: String?, csrDER: [UInt8]) {
        self.directoryURL = directoryURL
        self.names = names
        self.challengeType = challengeType
        self.key = accountKey
        self.contact = contactEmail
        self.csrDER = csrDER
    }

    public mutating func start() -> Action {
        state = .directory
        return .send(ACMERequest(method: .get, url: directoryURL, body: nil))
    }

    /// The driver made the challenge answerable.
    public mutating func challengeProvisioned() -> Action {
        guard case .provisioning(let progress, let challenge) = state else { return fail("challenge provisioned out of order") }
        state = .answering(progress, challenge: challenge)
        return post(url: challenge.url, payload: Array("{}".utf8))
    }

    /// The wait asked for is over: poll again.
    public mutating func resume() -> Action {
        switch state {
        case .pollingAuthorization(let progress):
            return post(url: progress.pending[0], payload: nil)
        case .pollingOrder(let progress):
            return post(url: progress.orderURL, payload: nil)
        default:
            return fail("resumed out of order")
        }
    }

    public mutating func receive(_ response: ACMEResponse) -> Action {
        if let fresh = response.headers["replay-nonce"], !fresh.isEmpty { nonce = fresh }
        if let seconds = response.headers["retry-after"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            retryAfter = min(max(seconds, 1), 60)
        } else {
            retryAfter = 1
        }
        guard (200..<300).contains(response.status) else { return refused(response) }
        nonceRetries = 0
        switch state {
        case .idle, .finished, .failed:
            return fail("answer with no request in flight")

        case .directory:
            guard let directory = decode(ACMEDirectory.self, response.body) else { return fail("the ACME directory is not JSON of RFC 8555 §7.1.1") }
            state = .nonce(directory)
            return .send(ACMERequest(method: .head, url: directory.newNonce, body: nil))

        case .nonce(let directory):
            guard nonce != nil else { return fail("the server's newNonce gave no Replay-Nonce") }
            state = .account(directory)
            var fields = [#""termsOfServiceAgreed":true"#]
            if let contact { fields.append(#""contact":[\#(JWS.quoted("mailto:" + contact))]"#) }
            return post(url: directory.newAccount, payload: Array("{\(fields.joined(separator: ","))}".utf8), asAccount: false)

        case .account(let directory):
            guard let location = response.headers["location"] else { return fail("newAccount answered with no Location") }
            accountURL = location
            state = .order(directory)
            let identifiers = names.map { #"{"type":"dns","value":\#(JWS.quoted($0))}"# }.joined(separator: ",")
            return post(url: directory.newOrder, payload: Array(#"{"identifiers":[\#(identifiers)]}"#.utf8))

        case .order(let directory):
            guard let location = response.headers["location"], let order = decode(ACMEOrder.self, response.body) else {
                return fail("newOrder answered with no Location or no order")
            }
            let progress = Progress(directory: directory, orderURL: location, order: order, pending: order.authorizations)
            return nextAuthorization(progress)

        case .authorization(let progress):
            guard let authorization = decode(ACMEAuthorization.self, response.body) else { return fail("an authorization is not JSON") }
            return handle(authorization, progress: progress)

        case .provisioning:
            return fail("answer while provisioning")

        case .answering(let progress, _):
            polls = 0
            state = .pollingAuthorization(progress)
            return .wait(seconds: retryAfter)

        case .pollingAuthorization(let progress):
            guard let authorization = decode(ACMEAuthorization.self, response.body) else { return fail("an authorization is not JSON") }
            return handle(authorization, progress: progress)

        case .finalizing(var progress), .pollingOrder(var progress):
            guard let order = decode(ACMEOrder.self, response.body) else { return fail("the order is not JSON") }
            progress.order = order
            switch order.status {
            case "valid":
                guard let certificate = order.certificate else { return fail("a valid order with no certificate URL") }
                state = .downloading(progress, certificateURL: certificate)
                return post(url: certificate, payload: nil)
            case "processing", "ready", "pending":
                polls += 1
                guard polls <= Self.maxPolls else { return fail("the order stayed \(order.status) after \(Self.maxPolls) polls") }
                state = .pollingOrder(progress)
                return .wait(seconds: retryAfter)
            default:
                return fail("the order is \(order.status)" + (order.error.map { ": \($0)" } ?? ""))
            }

        case .downloading:
            let pem = String(decoding: response.body, as: UTF8.self)
            guard pem.contains("-----BEGIN CERTIFICATE-----") else { return fail("the certificate download is not PEM") }
            state = .finished
            return .finished(chainPEM: pem)
        }
    }

    // MARK: - Steps

    private mutating func nextAuthorization(_ progress: Progress) -> Action {
        if progress.pending.isEmpty {
            state = .finalizing(progress)
            polls = 0
            return post(url: progress.order.finalize, payload: Array(#"{"csr":"\#(Base64URL.encode(csrDER))"}"#.utf8))
        }
        state = .authorization(progress)
        return post(url: progress.pending[0], payload: nil)
    }

    private mutating func handle(_ authorization: ACMEAuthorization, progress: Progress) -> Action {
        var progress = progress
        switch authorization.status {
        case "valid":
            progress.pending.removeFirst()
            polls = 0
            return nextAuthorization(progress)
        case "pending":
            if case .pollingAuthorization = state {
                // Answered already; the server has not decided yet.
                polls += 1
                guard polls <= Self.maxPolls else { return fail("\(authorization.identifier.value): still pending after \(Self.maxPolls) polls") }
                return .wait(seconds: retryAfter)
            }
            guard let challenge = authorization.challenges.first(where: { $0.type == challengeType.rawValue }),
                  let token = challenge.token else {
                let offered = authorization.challenges.map(\.type).joined(separator: ", ")
                return fail("\(authorization.identifier.value): the server offers no \(challengeType.rawValue) challenge (offers: \(offered))")
            }
            state = .provisioning(progress, challenge: challenge)
            return .provision(name: authorization.identifier.value, type: challengeType, token: token, keyAuthorization: key.keyAuthorization(token: token))
        default:
            let reason = authorization.challenges.compactMap(\.error).first.map { ": \($0)" } ?? ""
            return fail("\(authorization.identifier.value): authorization \(authorization.status)\(reason)")
        }
    }

    /// A signed POST (payload nil: POST-as-GET). Remembered so a badNonce
    /// answer can be retried with the fresh nonce.
    private mutating func post(url: String, payload: [UInt8]?, asAccount: Bool = true) -> Action {
        guard let nonce else { return fail("no nonce to sign with") }
        self.nonce = nil  // each nonce is good once
        do {
            let body = try JWS.sign(payload: payload, url: url, nonce: nonce, key: key, accountURL: asAccount ? accountURL : nil)
            let request = ACMERequest(method: .post, url: url, body: body)
            lastRequest = request
            lastPayload = .some(payload)
            return .send(request)
        } catch {
            return fail("could not sign: \(error)")
        }
    }

    private mutating func refused(_ response: ACMEResponse) -> Action {
        let problem = decode(ACMEProblem.self, response.body)
            ?? ACMEProblem(type: "HTTP \(response.status)", detail: String(decoding: response.body.prefix(200), as: UTF8.self), status: response.status)
        if problem.type == "urn:ietf:params:acme:error:badNonce", nonceRetries < Self.maxNonceRetries,
           let last = lastRequest, let payload = lastPayload {
            nonceRetries += 1
            // Only newAccount is signed with the bare key; it is in flight in `.account`.
            if case .account = state { return post(url: last.url, payload: payload, asAccount: false) }
            return post(url: last.url, payload: payload)
        }
        return fail(problem.description)
    }

    private mutating func fail(_ reason: String) -> Action {
        state = .failed
        return .failed(reason: reason)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) -> T? {
        try? JSONDecoder().decode(type, from: Data(body))
    }
}
