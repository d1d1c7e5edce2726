import Synchronization

/// Open SSH connections per subject, each subject bounded by `maximum`. The
/// relay keeps two:
/// - connections not logged in yet per source address (IPv4 as is, IPv6 by
///   its /64, as `LoginPenaltyBox.source` says), `sshMaxUnauthenticatedPerIP`,
///   like OpenSSH's `PerSourceMaxStartups`. Each costs a key exchange and
///   its buffers until it logs in or `sshAuthTimeoutSeconds` closes it, and
///   one that offers no key never earns a login penalty: without this bound
///   one address could hold any number of them open. A login gives the
///   place back.
/// - logged-in connections per key fingerprint, `sshMaxConnectionsPerKey`:
///   a key's mappings, visitors and reservations are capped, and so is the
///   number of connections it holds open.
///
/// The connection's end gives its place back. Only subjects with a
/// connection counted have an entry, so the table is as large as what it counts.
final class ConnectionCounts: Sendable {
    let maximum: Int
    private let counts = Mutex<[String: Int]>([:])

    init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    /// Counts a new connection of `subject`; false (nothing counted) when
    /// the subject already has `maximum` of them.
    func enter(_ subject: String) -> Bool {
        counts.withLock { counts in
            let now = counts[subject, default: 0]
            guard now < maximum else { return false }
            counts[subject] = now + 1
            return true
        }
    }

    /// Gives back a place `enter` counted.
    func leave(_ subject: String) {
        counts.withLock { counts in
            guard let now = counts[subject] else { return }
            counts[subject] = now > 1 ? now - 1 : nil
        }
    }

    /// Connections of `subject` counted now.
    func count(_ subject: String) -> Int {
        counts.withLock { $0[subject, default: 0] }
    }
}
