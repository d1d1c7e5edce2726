import NIOCore
import NIOSSH

/// Offers the agent's identity key once. If the relay asks again, the key
/// was refused: fail with a message that says how to get it accepted.
final class PublicKeyAuthDelegate: NIOSSHClientUserAuthenticationDelegate {
    private let user: String
    private let key: NIOSSHPrivateKey
    private let refusal: TunnelError
    private var offered = false

    init(user: String, key: NIOSSHPrivateKey, refusal: TunnelError) {
        self.user = user
        self.key = key
        self.refusal = refusal
    }

    func nextAuthenticationType(
        availableMethods: NIOSSHAvailableUserAuthenticationMethods,
        nextChallengePromise: EventLoopPromise<NIOSSHUserAuthenticationOffer?>
    ) {
        guard !offered, availableMethods.contains(.publicKey) else {
            nextChallengePromise.fail(refusal)
            return
        }
        offered = true
        nextChallengePromise.succeed(NIOSSHUserAuthenticationOffer(
            username: user, serviceName: "", offer: .privateKey(.init(privateKey: key))))
    }
}
