import Synchronization

/// SSH connections that have not logged in yet, per source address (IPv4 as
/// is, IPv6 by its /64, as `LoginPenaltyBox.source` says), bounded by
/// `sshMaxUnauthenticatedPerIP` like OpenSSH's `PerSourceMaxStartups`. Each
/// such connection costs the relay a key exchange and its buffers until it
/// logs in or `sshAuthTimeoutSeconds` closes it, and one that offers no key
/// never earns a login penalty: without this bound one address could hold
/// any number of them open. A login, or the connection's end, gives its
/// place back. Only addresses with a connection counted have an entry, so
/// the table is as large as the handshakes in flight.
final class UnauthenticatedConnections: Sendable {
    let maximumPerSource: Int
    private let counts = Mutex<[String: Int]>([:])

    init(maximumPerSource: Int) {
        self.maximumPerSource = max(1, maximumPerSource)
    }

    /// Counts a new connection from `source`; false (nothing counted) when
    /// the source already has `maximumPerSource` of them.
    func enter(_ source: String) -> Bool {
        counts.withLock { counts in
            let now = counts[source, default: 0]
            guard now < maximumPerSource else { return false }
            counts[source] = now + 1
            return true
        }
    }

    /// Gives back a place `enter` counted.
    func leave(_ source: String) {
        counts.withLock { counts in
            guard let now = counts[source] else { return }
            counts[source] = now > 1 ? now - 1 : nil
        }
    }

    /// Connections from `source` not logged in yet.
    func count(_ source: String) -> Int {
        counts.withLock { $0[source, default: 0] }
    }
}
