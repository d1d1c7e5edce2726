@testable import BurrowAgent
import BurrowConfig
import Crypto
import NIOSSH
import Testing

/// OpenSSH public-key lines and fingerprints have one home (`OpenSSHKey`):
/// the agent's host-key check reads a line the way `known_relays` and the
/// relay do (any whitespace between fields, the comment ignored).
@Suite struct HostKeyLineTests {
    let key = Curve25519.Signing.PrivateKey()
    var offered: NIOSSHPublicKey { NIOSSHPrivateKey(ed25519Key: key).publicKey }
    var line: String { String(openSSHPublicKey: offered) }

    @Test func anExactKeyWrittenWithATabAndACommentIsTheSameKey() throws {
        let fields = line.split(separator: " ")
        let written = "\(fields[0])\t\(fields[1])  relay@example"
        try HostKeyPolicy.exact(keyLine: written).check(offered, relay: "relay.localhost:2222")
    }

    @Test func aDifferentKeyIsRefusedWithBothFingerprints() throws {
        let other = OpenSSHKey.publicKeyLine(Curve25519.Signing.PrivateKey().publicKey, comment: "other")
        do {
            try HostKeyPolicy.exact(keyLine: other).check(offered, relay: "relay.localhost:2222")
            Issue.record("a different key was accepted")
        } catch {
            guard case .hostKeyChanged(_, let offered, let pinned, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(offered == OpenSSHKey.fingerprint(key.publicKey))
            #expect(pinned == OpenSSHKey.fingerprint(ofLine: other))
        }
    }

    @Test func aLineIsFingerprintedLikeItsKey() {
        #expect(OpenSSHKey.fingerprint(ofLine: line) == OpenSSHKey.fingerprint(key.publicKey))
        #expect(OpenSSHKey.fingerprint(ofLine: "ssh-ed25519 not*base64") == nil)
        #expect(OpenSSHKey.keyText("ssh-ed25519\tAAAA  comment here") == "ssh-ed25519 AAAA")
    }
}
