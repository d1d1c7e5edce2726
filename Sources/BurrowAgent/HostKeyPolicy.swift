import BurrowConfig
import NIOSSH

/// How a tunnel decides whether to trust the relay's host key.
enum HostKeyPolicy: Sendable {
    /// Trust on first use: pin unknown keys in `known_relays`, refuse changed ones.
    case knownRelays(path: String, host: String, port: Int)
    /// Accept exactly this key (the embedded relay, whose key is known in-process).
    case exact(keyLine: String)

    /// Checks `key`; throws `TunnelError.hostKeyChanged` (never retried) on a mismatch.
    func check(_ key: NIOSSHPublicKey, relay: String) throws(TunnelError) {
        let offered = OpenSSHKey.keyText(String(openSSHPublicKey: key))
        switch self {
        case .exact(let keyLine):
            let expected = OpenSSHKey.keyText(keyLine)
            guard offered == expected else {
                throw .hostKeyChanged(relay: relay, offered: HostKeyPolicy.fingerprint(offered),
                                      pinned: HostKeyPolicy.fingerprint(expected), knownRelaysPath: nil)
            }
        case .knownRelays(let path, let host, let port):
            let known = KnownRelays(path: path)
            do {
                switch try known.check(host: host, port: port, keyLine: offered) {
                case .trusted:
                    return
                case .unknown:
                    try known.pin(host: host, port: port, keyLine: offered)
                case .mismatch(let expected):
                    throw TunnelError.hostKeyChanged(relay: relay, offered: HostKeyPolicy.fingerprint(offered),
                                                     pinned: HostKeyPolicy.fingerprint(expected), knownRelaysPath: path)
                }
            } catch let error as TunnelError {
                throw error
            } catch {
                throw .hostKeyUnreadable("\(error)")
            }
        }
    }

    static func fingerprint(_ line: String) -> String {
        OpenSSHKey.fingerprint(ofLine: line) ?? line
    }
}
