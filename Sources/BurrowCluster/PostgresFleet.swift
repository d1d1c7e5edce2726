import BurrowRelay
import PostgresNIO
import Synchronization

/// A relay's membership in a fleet sharing PostgreSQL (`burrow serve --cluster`).
///
/// At start: connect, create or migrate the schema, load the reservations;
/// any failure stops the relay with one line (the password masked). Once
/// the SSH port is bound: a heartbeat task upserts this member's row every
/// `heartbeat` (its `last_seen` by the database's clock), reads the members
/// seen within 3 heartbeats (the others are dead) and the reservations.
/// When the database cannot be reached, `trouble` says so (`/healthz`
/// answers 503), new names are refused, held ones keep working; the next
/// heartbeat that gets through clears it.
package final class PostgresFleet: RelayFleet {
    package let address: ClusterAddress
    /// The SSH endpoint agents should dial for this member; nil = `defaultHost` + the SSH port bound.
    package let advertise: String?
    /// Used with the bound SSH port when `advertise` is nil.
    package let defaultHost: String
    package let heartbeat: Duration
    let database: ClusterDatabase
    /// A heartbeat slower than this counts as a failure (the health turns 503).
    let beatDeadline: Duration

    private struct State: Sendable {
        var reservations: ClusterReservations?
        var memberID = ""
        var members: [String] = []
        var trouble: String?
        var failures = 0
        var task: Task<Void, Never>?
        var log: @Sendable (String) -> Void = { _ in }
    }

    private let state = Mutex(State())

    package init(address: ClusterAddress, advertise: String?, defaultHost: String, heartbeat: Duration = .seconds(5)) {
        self.address = address
        self.advertise = advertise
        self.defaultHost = defaultHost
        self.heartbeat = heartbeat
        // Claims may queue behind a burst of others (a member's restart brings
        // many agents back at once): 5 s before a claim counts as unreachable.
        self.database = ClusterDatabase(address: address, deadline: .seconds(5))
        self.beatDeadline = min(.seconds(3), max(heartbeat, .seconds(1)))
    }

    package var members: [String] { state.withLock { $0.members } }
    package var trouble: String? { state.withLock { $0.trouble } }

    package func open(maximumPerKey: Int, log: @escaping @Sendable (String) -> Void) async throws -> any ReservationBackend {
        let reservations = ClusterReservations(database: database, maximumPerKey: maximumPerKey, log: log) { [weak self] detail in
            self?.failed(detail)
        }
        do {
            try await database.probe()
            let before = try await database.migrate()
            if before < ClusterSchema.currentVersion {
                log("fleet database \(address): schema \(before == 0 ? "created" : "migrated from version \(before)") at version \(ClusterSchema.currentVersion)")
            }
            try await reservations.reload()
        } catch {
            database.close()
            if case .schema(let text)? = error as? ClusterError { throw RelayError.fleet(text) }
            throw RelayError.fleet("cannot reach the fleet's database \(address): \(ClusterError.describe(error)); check --cluster and that PostgreSQL runs")
        }
        state.withLock {
            $0.reservations = reservations
            $0.log = log
        }
        return reservations
    }

    package func join(sshPort: Int, membersChanged: @escaping @Sendable ([String]) -> Void) async {
        let id = advertise ?? "\(defaultHost):\(sshPort)"
        let reservations = state.withLock { state -> ClusterReservations? in
            state.memberID = id
            return state.reservations
        }
        reservations?.member.withLock { $0 = id }
        // The first beat before agents are told anything: this member is listed at once.
        await beat(id: id, membersChanged: membersChanged)
        let interval = heartbeat
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                await self.beat(id: id, membersChanged: membersChanged)
            }
        }
        state.withLock { $0.task = task }
    }

    package func leave() async {
        let (task, id) = state.withLock { state in
            defer { state.task = nil }
            return (state.task, state.memberID)
        }
        task?.cancel()
        if !id.isEmpty {
            _ = try? await database.withConnection("leaving the fleet") { connection in
                try await connection.query("DELETE FROM burrow_members WHERE id = \(id)", logger: ClusterDatabase.logger)
            }
        }
        database.close()
    }

    /// One heartbeat: this member's row, the live members, the reservations.
    private func beat(id: String, membersChanged: @Sendable ([String]) -> Void) async {
        let seconds = Double(heartbeat.components.seconds) + Double(heartbeat.components.attoseconds) / 1e18
        let window = seconds * 3
        do {
            let live = try await database.withConnection("heartbeat", deadline: beatDeadline) { connection -> [String] in
                try await connection.query(
                    """
                    INSERT INTO burrow_members (id, endpoint) VALUES (\(id), \(id))
                    ON CONFLICT (id) DO UPDATE SET endpoint = excluded.endpoint, last_seen = now()
                    """, logger: ClusterDatabase.logger)
                var live: [String] = []
                for try await endpoint in try await connection.query(
                    "SELECT DISTINCT endpoint FROM burrow_members WHERE last_seen > now() - make_interval(secs => \(window)) ORDER BY endpoint",
                    logger: ClusterDatabase.logger
                ).decode(String.self) {
                    live.append(endpoint)
                }
                return live
            }
            try await state.withLock { $0.reservations }?.reload(deadline: beatDeadline)
            let (changed, recovered, log) = state.withLock { state -> (Bool, String?, @Sendable (String) -> Void) in
                let changed = state.members != live
                state.members = live
                let recovered = state.trouble
                state.trouble = nil
                state.failures = 0
                return (changed, recovered, state.log)
            }
            state.withLock { $0.reservations }?.degraded.store(false, ordering: .relaxed)
            if recovered != nil { log("fleet database \(address) reachable again: new names are granted again") }
            if changed {
                log("fleet members: \(live.joined(separator: ", "))")
                membersChanged(live)
            }
        } catch {
            failed(ClusterError.describe(error))
        }
    }

    /// The database could not be reached (a heartbeat or a claim).
    private func failed(_ detail: String) {
        state.withLock { $0.reservations }?.degraded.store(true, ordering: .relaxed)
        let (first, failures, log) = state.withLock { state -> (Bool, Int, @Sendable (String) -> Void) in
            let first = state.trouble == nil
            state.trouble = "\(ClusterReservations.unreachable) (\(detail)); held names are still served"
            state.failures += 1
            return (first, state.failures, state.log)
        }
        if first {
            log("fleet database \(address) unreachable (\(detail)): new names are refused, held names still served, /healthz answers 503")
        }
        // A pool that failed a few times in a row starts over rather than wait out its back-off.
        if failures % 3 == 0 { database.reconnect() }
    }
}
