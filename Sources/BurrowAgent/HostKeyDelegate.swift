import Dispatch
import NIOCore
import NIOSSH

/// Hands the relay's host key to the tunnel's `HostKeyPolicy`. The policy
/// reads `known_relays` and may pin a new key (flock + fsync), so it runs on
/// a background queue and the verdict comes back through the promise: the
/// connection's event loop never waits for the disk.
final class HostKeyDelegate: NIOSSHClientServerAuthenticationDelegate {
    private let policy: HostKeyPolicy
    private let relay: String

    init(policy: HostKeyPolicy, relay: String) {
        self.policy = policy
        self.relay = relay
    }

    func validateHostKey(hostKey: NIOSSHPublicKey, validationCompletePromise: EventLoopPromise<Void>) {
        let policy = policy
        let relay = relay
        DispatchQueue.global().async {
            do {
                try policy.check(hostKey, relay: relay)
                validationCompletePromise.succeed(())
            } catch {
                validationCompletePromise.fail(error)
            }
        }
    }
}
