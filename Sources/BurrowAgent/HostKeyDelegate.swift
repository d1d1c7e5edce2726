import NIOCore
import NIOSSH

/// Hands the relay's host key to the tunnel's `HostKeyPolicy`.
final class HostKeyDelegate: NIOSSHClientServerAuthenticationDelegate {
    private let policy: HostKeyPolicy
    private let relay: String

    init(policy: HostKeyPolicy, relay: String) {
        self.policy = policy
        self.relay = relay
    }

    func validateHostKey(hostKey: NIOSSHPublicKey, validationCompletePromise: EventLoopPromise<Void>) {
        do {
            try policy.check(hostKey, relay: relay)
            validationCompletePromise.succeed(())
        } catch {
            validationCompletePromise.fail(error)
        }
    }
}
