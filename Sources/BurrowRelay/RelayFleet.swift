/// A fleet of relays sharing their state (`burrow serve --cluster`): the
/// reservations every member must agree on and the list of live members.
/// `BurrowCluster` implements it on PostgreSQL; BurrowRelay only knows this
/// protocol, so it never links a database driver.
package protocol RelayFleet: Sendable {
    /// Connects to the shared state and returns the reservations backend the
    /// relay uses instead of `reservations.json`. Called once, before any
    /// port is bound; throws `RelayError.fleet` with one line (no secrets).
    func open(maximumPerKey: Int, log: @escaping @Sendable (String) -> Void) async throws -> any ReservationBackend
    /// Joins the fleet once the SSH port is bound (`sshPort`, the port bound):
    /// starts the heartbeat, and calls `membersChanged` with the live members'
    /// SSH endpoints whenever that list changes (not on the caller's task).
    func join(sshPort: Int, membersChanged: @escaping @Sendable ([String]) -> Void) async
    /// The live members' SSH endpoints (`host:port`) as last seen; no I/O.
    var members: [String] { get }
    /// nil while this member can reach the shared state; else why not, for
    /// `/healthz` (503) so a load balancer drains it.
    var trouble: String? { get }
    /// Stops the heartbeat and leaves the member list at once (shutdown).
    func leave() async
}
