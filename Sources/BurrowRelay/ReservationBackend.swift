import NIOCore

/// Where a relay keeps the names and TCP ports each key holds: the JSON file
/// of one relay (`ReservationStore`) or a fleet's shared database
/// (`BurrowCluster`'s `ClusterReservations`, `burrow serve --cluster`).
///
/// Reads are synchronous and never wait for I/O: the HTTP router asks them
/// for every visitor of an offline name, so a backend with a remote truth
/// answers from a local copy of it. Claims answer with a future (completed
/// on `loop`): the file decides at once, a database after a transaction; the
/// `tcpip-forward` reply waits for it (SSH lets a global request's reply
/// come later, in order).
package protocol ReservationBackend: Sendable {
    /// The fingerprint of the key holding `name`, if any (no I/O).
    func owner(ofName name: String) -> String?
    /// The fingerprint of the key holding TCP `port`, if any (no I/O).
    func owner(ofPort port: Int) -> String?
    /// Ports to try for `key`'s TCP forward labelled `label` that asked for
    /// port 0: its earlier port first, then random ports nobody holds (no I/O).
    func candidatePorts(for key: String, label: String, in range: ClosedRange<Int>, count: Int) -> [Int]
    /// Reserves `name` for `key`; fails with `RelayError.refused` when another
    /// owner holds it (`sameOwner` says whether a holder is of the same owner).
    func claim(name: String, for key: String, sameOwner: @escaping @Sendable (String) -> Bool, on loop: any EventLoop)
        -> EventLoopFuture<Void>
    /// The name for `key`'s unnamed HTTP forward: its earlier pick, or a new random one.
    func autoName(for key: String, avoiding taken: Set<String>, on loop: any EventLoop) -> EventLoopFuture<String>
    /// Reserves TCP `port` for `key` under `label` (see `ReservationStore.claim(port:…)`).
    func claim(
        port: Int, label: String, for key: String, movingLabel: Bool, sameOwner: @escaping @Sendable (String) -> Bool,
        on loop: any EventLoop
    ) -> EventLoopFuture<Void>
    /// Waits until every change so far is stored (tests, shutdown).
    func flush()
}

extension ReservationBackend {
    func candidatePorts(for key: String, label: String, in range: ClosedRange<Int>) -> [Int] {
        candidatePorts(for: key, label: label, in: range, count: 32)
    }
}

/// The JSON-file backend decides under its lock at once: its futures are
/// completed before they are returned, so a relay without `--cluster`
/// grants in the same event-loop turn as before.
extension ReservationStore: ReservationBackend {
    package func claim(
        name: String, for key: String, sameOwner: @escaping @Sendable (String) -> Bool, on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        do {
            try claim(name: name, for: key, sameOwner: sameOwner)
            return loop.makeSucceededVoidFuture()
        } catch {
            return loop.makeFailedFuture(error)
        }
    }

    package func autoName(for key: String, avoiding taken: Set<String>, on loop: any EventLoop) -> EventLoopFuture<String> {
        do {
            return loop.makeSucceededFuture(try autoName(for: key, avoiding: taken))
        } catch {
            return loop.makeFailedFuture(error)
        }
    }

    package func claim(
        port: Int, label: String, for key: String, movingLabel: Bool, sameOwner: @escaping @Sendable (String) -> Bool,
        on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        do {
            try claim(port: port, label: label, for: key, movingLabel: movingLabel, sameOwner: sameOwner)
            return loop.makeSucceededVoidFuture()
        } catch {
            return loop.makeFailedFuture(error)
        }
    }
}
