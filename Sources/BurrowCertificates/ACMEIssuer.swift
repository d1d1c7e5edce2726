import Foundation

/// Runs one ACME order to its end: carries the machine's requests over the
/// HTTPS client, posts challenge answers on the board while the server
/// validates them (withdrawn whatever the outcome), sleeps where the server
/// asks. The certificate's key is made here and returned with the chain.
public struct ACMEIssuer: Sendable {
    public var directoryURL: String
    public var contactEmail: String?
    public var accountKey: ACMEAccountKey
    public var challengeType: ACMEOrderMachine.ChallengeType
    let client: ACMEHTTPClient
    let board: ACMEChallengeBoard

    public init(directoryURL: String, contactEmail: String?, accountKey: ACMEAccountKey, challengeType: ACMEOrderMachine.ChallengeType, client: ACMEHTTPClient, board: ACMEChallengeBoard) {
        self.directoryURL = directoryURL
        self.contactEmail = contactEmail
        self.accountKey = accountKey
        self.challengeType = challengeType
        self.client = client
        self.board = board
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public func obtain(names: [String]) async throws -> IssuedCertificate {
        let request = try ACMECertificateRequest(names: names)
        var machine = ACMEOrderMachine(directoryURL: directoryURL, names: names, challengeType: challengeType, accountKey: accountKey, contactEmail: contactEmail, csrDER: request.der)
        var posted: [(name: String, token: String)] = []
        defer { for answer in posted { board.withdraw(name: answer.name, token: answer.token) } }
        var action = machine.start()
        while true {
            try Task.checkCancellation()
            switch action {
            case .send(let outgoing):
                let response: ACMEResponse
                do {
                    response = try await client.send(outgoing)
                } catch {
                    throw Failure(description: "ACME server \(directoryURL): \(error)")
                }
                action = machine.receive(response)
            case .provision(let name, let type, let token, let keyAuthorization):
                try board.post(name: name, type: type, token: token, keyAuthorization: keyAuthorization)
                posted.append((name, token))
                action = machine.challengeProvisioned()
            case .wait(let seconds):
                try await Task.sleep(for: .seconds(seconds))
                action = machine.resume()
            case .finished(let chainPEM):
                let notAfter = (try? CertificateValidity.notValidAfter(pem: chainPEM)) ?? Date().addingTimeInterval(86_400)
                return IssuedCertificate(names: names, chainPEM: chainPEM, privateKeyPEM: request.privateKeyPEM, notValidAfter: notAfter)
            case .failed(let reason):
                throw Failure(description: reason)
            }
        }
    }
}
