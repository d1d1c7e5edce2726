import BurrowConfig
import BurrowRelay
import NIOCore
import PostgresNIO
import Synchronization

/// Reservations of a fleet, in PostgreSQL (`burrow serve --cluster`).
///
/// A claim runs one transaction: a per-key advisory lock (so the per-key
/// cap is counted without races), a look at the current holder, the cap,
/// then `INSERT … ON CONFLICT DO NOTHING`: the primary key on the name (or
/// port) is what makes two members unable to give one name to two keys;
/// the loser of a race sees the winner's row and is refused. Reads answer
/// from `ReservationCache`. What the cache knows is answered from it: a key
/// asking again for what it (or its owner) holds is granted, another owner
/// is refused. Reservations are never taken back by the fleet (only an
/// operator's `DELETE`, seen at the next heartbeat), so this is safe, saves
/// a round trip, and keeps held names working while the database is down.
final class ClusterReservations: ReservationBackend {
    static let unreachable = "the relay fleet's database is unreachable; try again"

    let database: ClusterDatabase
    /// This member's id in `burrow_members` (who claimed a row; informational).
    let member: Mutex<String>
    let maximumPerKey: Int
    let cache = Mutex(ReservationCache())
    /// Set while the fleet's last heartbeat failed: claims then give up
    /// after 1 s (the agent hears "try again" soon) instead of the
    /// database's full deadline, which leaves room for bursts when healthy.
    let degraded = Atomic<Bool>(false)
    private var claimDeadline: Duration? { degraded.load(ordering: .relaxed) ? .seconds(1) : nil }
    private let log: @Sendable (String) -> Void
    /// Told when a claim could not reach the database (the fleet's health).
    private let onDatabaseError: @Sendable (String) -> Void

    init(
        database: ClusterDatabase, maximumPerKey: Int, log: @escaping @Sendable (String) -> Void,
        onDatabaseError: @escaping @Sendable (String) -> Void
    ) {
        self.database = database
        self.maximumPerKey = maximumPerKey
        self.member = Mutex("")
        self.log = log
        self.onDatabaseError = onDatabaseError
    }

    // MARK: reads (no I/O)

    func owner(ofName name: String) -> String? {
        cache.withLock { $0.names[name]?.key }
    }

    func owner(ofPort port: Int) -> String? {
        cache.withLock { $0.ports[port]?.key }
    }

    func candidatePorts(for key: String, label: String, in range: ClosedRange<Int>, count: Int) -> [Int] {
        cache.withLock { cache in
            var candidates: [Int] = []
            if let earlier = cache.ports.first(where: { $0.value.key == key && $0.value.label == label })?.key, range.contains(earlier) {
                candidates.append(earlier)
            }
            let free = range.count - cache.ports.keys.filter { range.contains($0) }.count
            guard free > 0 else { return candidates }
            var tries = 0
            while candidates.count < count, tries < count * 20 {
                tries += 1
                let port = Int.random(in: range)
                if cache.ports[port] == nil, !candidates.contains(port), port >= ReservationsFile.lowestPort {
                    candidates.append(port)
                }
            }
            return candidates
        }
    }

    func flush() {}

    // MARK: claims

    func claim(name: String, for key: String, sameOwner: @escaping @Sendable (String) -> Bool, on loop: any EventLoop)
        -> EventLoopFuture<Void>
    {
        if let holder = owner(ofName: name) {
            // Known either way: reservations are never taken back by the fleet.
            guard holder == key || sameOwner(holder) else {
                return loop.makeFailedFuture(RelayError.refused("name '\(name)' is reserved by another key; choose another name"))
            }
            return loop.makeSucceededVoidFuture()
        }
        let promise = loop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.guarded("claiming name '\(name)'") { try await self.claimName(name, key, sameOwner) } }
        return promise.futureResult
    }

    func autoName(for key: String, avoiding taken: Set<String>, on loop: any EventLoop) -> EventLoopFuture<String> {
        let earlier = cache.withLock { cache in cache.names.first(where: { $0.value.key == key && $0.value.auto })?.key }
        if let earlier, !taken.contains(earlier) { return loop.makeSucceededFuture(earlier) }
        let promise = loop.makePromise(of: String.self)
        promise.completeWithTask { try await self.guarded("picking a name") { try await self.pickName(key, taken) } }
        return promise.futureResult
    }

    func claim(
        port: Int, label: String, for key: String, movingLabel: Bool, sameOwner: @escaping @Sendable (String) -> Bool,
        on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        // Ports below 1024 are used but never reserved (as with reservations.json).
        guard port >= ReservationsFile.lowestPort else { return loop.makeSucceededVoidFuture() }
        let known = cache.withLock { $0.ports[port] }
        if let known, known.key == key ? known.label == label : sameOwner(known.key) { return loop.makeSucceededVoidFuture() }
        if let known, known.key != key {
            return loop.makeFailedFuture(RelayError.refused("port \(port) is reserved by another key; ask for port 0 to get a free one"))
        }
        let promise = loop.makePromise(of: Void.self)
        promise.completeWithTask {
            try await self.guarded("claiming port \(port)") { try await self.claimPort(port, label, key, movingLabel, sameOwner) }
        }
        return promise.futureResult
    }

    /// Runs a claim; a refusal passes as it is, any database failure
    /// becomes the one reason agents see (the detail goes to the log).
    private func guarded<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RelayError {
            throw error
        } catch {
            let detail = ClusterError.describe(error)
            log("fleet database: \(what) failed: \(detail)")
            onDatabaseError(detail)
            throw RelayError.refused(Self.unreachable)
        }
    }

    private func capReached(_ what: String) -> RelayError {
        .refused(
            "this key already holds \(maximumPerKey) names and ports in this relay fleet (maxReservationsPerKey); \(what), or ask the fleet's operator to release some")
    }

    /// Locks `key`'s rows for this transaction and counts them.
    private static func lockAndCount(_ connection: PostgresConnection, key: String) async throws -> Int {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(key)))", logger: ClusterDatabase.logger)
        return try await count(connection, key: key)
    }

    /// How many names and ports `key` holds (under its lock, in this transaction).
    private static func count(_ connection: PostgresConnection, key: String) async throws -> Int {
        var held = 0
        for try await count in try await connection.query(
            "SELECT (SELECT count(*) FROM burrow_names WHERE key = \(key)) + (SELECT count(*) FROM burrow_ports WHERE key = \(key))",
            logger: ClusterDatabase.logger
        ).decode(Int.self) {
            held = count
        }
        return held
    }

    /// Runs an `INSERT … ON CONFLICT DO NOTHING RETURNING …`; true when it
    /// inserted the row (false: another key's row was there first).
    private static func inserted(_ connection: PostgresConnection, _ insert: PostgresQuery) async throws -> Bool {
        var inserted = false
        // Read every row (none or one): the connection is then free for the next query.
        for try await _ in try await connection.query(insert, logger: ClusterDatabase.logger) {
            inserted = true
        }
        return inserted
    }

    private static func nameHolder(_ connection: PostgresConnection, _ name: String) async throws -> ReservationCache.Name? {
        for try await (key, auto) in try await connection.query(
            "SELECT key, auto FROM burrow_names WHERE name = \(name)", logger: ClusterDatabase.logger
        ).decode((String, Bool).self) {
            return .init(key: key, auto: auto)
        }
        return nil
    }

    private func claimName(_ name: String, _ key: String, _ sameOwner: @escaping @Sendable (String) -> Bool) async throws {
        let member = member.withLock { $0 }
        let maximum = maximumPerKey
        let cap = capReached("reuse one of its names")
        let holder = try await database.transaction("claiming name '\(name)'", deadline: claimDeadline) { connection -> ReservationCache.Name in
            if let holder = try await Self.nameHolder(connection, name) { return holder }
            guard try await Self.lockAndCount(connection, key: key) < maximum else { throw cap }
            let insert: PostgresQuery =
                "INSERT INTO burrow_names (name, key, member) VALUES (\(name), \(key), \(member)) ON CONFLICT (name) DO NOTHING RETURNING name"
            if try await Self.inserted(connection, insert) { return .init(key: key, auto: false) }
            // Another member's transaction took it first (and committed): its row decides.
            guard let winner = try await Self.nameHolder(connection, name) else {
                throw ClusterError.unreachable("name '\(name)' vanished during the claim")
            }
            return winner
        }
        cache.withLock { $0.names[name] = holder }
        if holder.key != key, !sameOwner(holder.key) {
            throw RelayError.refused("name '\(name)' is reserved by another key; choose another name")
        }
    }

    private func pickName(_ key: String, _ taken: Set<String>) async throws -> String {
        let member = member.withLock { $0 }
        let maximum = maximumPerKey
        let known = cache.withLock { Set($0.names.keys) }
        let cap = capReached("ask for one of its names by name")
        let (name, auto) = try await database.transaction("picking a name", deadline: claimDeadline) { connection -> (String, Bool) in
            let held = try await Self.lockAndCount(connection, key: key)
            var earlier: String?
            for try await name in try await connection.query(
                "SELECT name FROM burrow_names WHERE key = \(key) AND auto", logger: ClusterDatabase.logger
            ).decode(String.self) {
                earlier = name
            }
            if let earlier, !taken.contains(earlier) { return (earlier, true) }
            guard held < maximum else { throw cap }
            for _ in 0..<50 {
                let candidate = NameGenerator.random()
                if known.contains(candidate) || taken.contains(candidate) { continue }
                let auto = earlier == nil
                let insert: PostgresQuery =
                    "INSERT INTO burrow_names (name, key, auto, member) VALUES (\(candidate), \(key), \(auto), \(member)) ON CONFLICT (name) DO NOTHING RETURNING name"
                if try await Self.inserted(connection, insert) { return (candidate, auto) }
            }
            throw RelayError.refused("the relay could not find a free name; ask for one by name (ssh -R NAME:80:…)")
        }
        cache.withLock { $0.names[name] = .init(key: key, auto: auto) }
        return name
    }

    private func claimPort(
        _ port: Int, _ label: String, _ key: String, _ movingLabel: Bool, _ sameOwner: @escaping @Sendable (String) -> Bool
    ) async throws {
        let member = member.withLock { $0 }
        let maximum = maximumPerKey
        let cap = capReached("reuse one of its ports")
        let refusal = RelayError.refused("port \(port) is reserved by another key; ask for port 0 to get a free one")
        let number = Int32(port)
        let (holder, moved) = try await database.transaction("claiming port \(port)", deadline: claimDeadline) { connection -> (ReservationCache.Port, [Int]) in
            var existing: ReservationCache.Port?
            for try await (holder, holderLabel) in try await connection.query(
                "SELECT key, label FROM burrow_ports WHERE port = \(number)", logger: ClusterDatabase.logger
            ).decode((String, String).self) {
                existing = .init(key: holder, label: holderLabel)
            }
            if let existing, existing.key != key { return (existing, []) }
            var moved: [Int] = []
            _ = try await Self.lockAndCount(connection, key: key)
            if movingLabel {
                for try await old in try await connection.query(
                    "DELETE FROM burrow_ports WHERE key = \(key) AND label = \(label) AND port <> \(number) RETURNING port",
                    logger: ClusterDatabase.logger
                ).decode(Int32.self) {
                    moved.append(Int(old))
                }
            }
            if existing != nil {
                try await connection.query(
                    "UPDATE burrow_ports SET label = \(label), member = \(member) WHERE port = \(number)", logger: ClusterDatabase.logger)
                return (.init(key: key, label: label), moved)
            }
            // The lock is held since lockAndCount above; ports the label let go are gone now.
            guard try await Self.count(connection, key: key) < maximum else { throw cap }
            let insert: PostgresQuery =
                "INSERT INTO burrow_ports (port, key, label, member) VALUES (\(number), \(key), \(label), \(member)) ON CONFLICT (port) DO NOTHING RETURNING port"
            if try await Self.inserted(connection, insert) { return (.init(key: key, label: label), moved) }
            var winner: ReservationCache.Port?
            for try await (holder, holderLabel) in try await connection.query(
                "SELECT key, label FROM burrow_ports WHERE port = \(number)", logger: ClusterDatabase.logger
            ).decode((String, String).self) {
                winner = .init(key: holder, label: holderLabel)
            }
            guard let winner else { throw ClusterError.unreachable("port \(port) vanished during the claim") }
            return (winner, moved)
        }
        cache.withLock { cache in
            for old in moved { cache.ports[old] = nil }
            cache.ports[port] = holder
        }
        if holder.key != key, !sameOwner(holder.key) { throw refusal }
    }

    // MARK: refresh

    /// Replaces the cache with the database's tables (each heartbeat).
    func reload(deadline: Duration? = nil) async throws {
        let (names, ports) = try await database.withConnection("reading reservations", deadline: deadline) { connection in
            var names: [String: ReservationCache.Name] = [:]
            for try await (name, key, auto) in try await connection.query(
                "SELECT name, key, auto FROM burrow_names", logger: ClusterDatabase.logger
            ).decode((String, String, Bool).self) {
                names[name] = .init(key: key, auto: auto)
            }
            var ports: [Int: ReservationCache.Port] = [:]
            for try await (port, key, label) in try await connection.query(
                "SELECT port, key, label FROM burrow_ports", logger: ClusterDatabase.logger
            ).decode((Int32, String, String).self) {
                ports[Int(port)] = .init(key: key, label: label)
            }
            return (names, ports)
        }
        cache.withLock { $0 = ReservationCache(names: names, ports: ports) }
    }
}
