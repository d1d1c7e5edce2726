import BurrowConfig
import BurrowCore
import Dispatch
import Synchronization

/// Names and ports held per client key, kept in `STATE_DIR/reservations.json`
/// (`ReservationsFile`) so the same key gets the same URL back after a
/// reconnect or a relay restart, and no other key can take it.
///
/// The file is read once at start-up; a file that is not valid stops the
/// relay (it is never overwritten). The table lives in memory: every change is
/// decided there at once (a short lock, no I/O, so event loops never wait for
/// the disk), and the new table is then written atomically, with fsync, by one
/// background writer that coalesces bursts. The writer holds
/// `STATE_DIR/.reservations.lock` while writing, as `burrow serve reservations`
/// does.
package final class ReservationStore: Sendable {
    let path: String
    /// Names plus ports one key may hold (`maxReservationsPerKey`).
    let maximumPerKey: Int
    private let file: Mutex<ReservationsFile>
    private let log: @Sendable (String) -> Void
    private let writer = DispatchQueue(label: "burrow.relay.reservations")
    /// The latest table not yet handed to the writer, and whether a write is queued.
    private let pending = Mutex<(table: ReservationsFile?, queued: Bool)>((nil, false))

    package init(
        path: String, maximumPerKey: Int = RelayLimits().maxReservationsPerKey, reservedNames: Set<String> = [],
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(RelayError) {
        self.path = path
        self.maximumPerKey = maximumPerKey
        self.log = log
        do {
            file = Mutex(try ReservationsFile.load(path: path, reservedNames: reservedNames))
        } catch {
            throw .settings("\(error.description); it is never overwritten: fix it or move it away")
        }
    }

    /// The fingerprint of the key holding `name`, if any.
    package func owner(ofName name: String) -> String? {
        file.withLock { file in
            file.keys.first(where: { $0.value.names.contains(name) })?.key
        }
    }

    /// The fingerprint of the key holding TCP `port`, if any.
    package func owner(ofPort port: Int) -> String? {
        file.withLock { file in
            file.keys.first(where: { $0.value.ports.contains(where: { $0.port == port }) })?.key
        }
    }

    private func held(_ entry: ReservationsFile.Key) -> Int {
        entry.names.count + entry.ports.count
    }

    private func capReached(_ what: String) -> RelayError {
        .refused(
            "this key already holds \(maximumPerKey) names and ports on this relay (maxReservationsPerKey); \(what), or ask the relay's operator to release some (burrow serve reservations rm)")
    }

    /// Reserves `name` for `key`; refuses when another key holds it, unless
    /// `sameOwner` says that key belongs to the same owner (`burrow-owner` in
    /// `authorized_keys`): then the name stays filed under that key and may
    /// be used. `sameOwner` runs under this store's lock: no I/O, no locks
    /// that could wait for this one.
    package func claim(name: String, for key: String, sameOwner: (String) -> Bool = { _ in false }) throws(RelayError) {
        let result: Result<Void, RelayError> = file.withLock { file in
            if let owner = file.keys.first(where: { $0.value.names.contains(name) })?.key, owner != key {
                if sameOwner(owner) { return .success(()) }
                return .failure(.refused("name '\(name)' is reserved by another key; choose another name"))
            }
            let entry = file.keys[key, default: .init()]
            if entry.names.contains(name) { return .success(()) }
            guard held(entry) < maximumPerKey else { return .failure(capReached("reuse one of its names")) }
            file.keys[key, default: .init()].names.append(name)
            save(file)
            return .success(())
        }
        try result.get()
    }

    /// The name for `key`'s unnamed HTTP forward: its earlier pick, or a new
    /// random name no key holds (saved, so it comes back next time).
    func autoName(for key: String, avoiding taken: Set<String>) throws(RelayError) -> String {
        let result: Result<String, RelayError> = file.withLock { file in
            if let name = file.keys[key]?.autoName, !taken.contains(name) { return .success(name) }
            let held = Set(file.keys.values.flatMap(\.names))
            guard self.held(file.keys[key, default: .init()]) < maximumPerKey else {
                return .failure(capReached("ask for one of its names by name"))
            }
            for _ in 0..<1000 {
                let candidate = NameGenerator.random()
                if held.contains(candidate) || taken.contains(candidate) { continue }
                var entry = file.keys[key, default: .init()]
                if entry.autoName == nil { entry.autoName = candidate }
                entry.names.append(candidate)
                file.keys[key] = entry
                save(file)
                return .success(candidate)
            }
            return .failure(.refused("the relay could not find a free name; ask for one by name (ssh -R NAME:80:…)"))
        }
        return try result.get()
    }

    /// Ports to try for `key`'s TCP forward labelled `label` that asked for
    /// port 0: its earlier port first, then random ports of `range` nobody holds.
    package func candidatePorts(for key: String, label: String, in range: ClosedRange<Int>, count: Int = 32) -> [Int] {
        file.withLock { file in
            var candidates: [Int] = []
            if let earlier = file.keys[key]?.ports.first(where: { $0.label == label })?.port, range.contains(earlier) {
                candidates.append(earlier)
            }
            let held = Set(file.keys.values.flatMap { $0.ports.map(\.port) })
            let free = range.count - held.filter { range.contains($0) }.count
            guard free > 0 else { return candidates }
            var tries = 0
            while candidates.count < count, tries < count * 20 {
                tries += 1
                let port = Int.random(in: range)
                if !held.contains(port), !candidates.contains(port), port >= ReservationsFile.lowestPort {
                    candidates.append(port)
                }
            }
            return candidates
        }
    }

    /// Reserves TCP `port` for `key` under `label`; refuses when another key
    /// holds it. With `movingLabel` (a port-0 request) the label keeps one
    /// port: its earlier one is let go. Ports below 1024 are used but never
    /// reserved (the file does not accept them).
    func claim(
        port: Int, label: String, for key: String, movingLabel: Bool = true, sameOwner: (String) -> Bool = { _ in false }
    ) throws(RelayError) {
        guard port >= ReservationsFile.lowestPort else { return }
        let result: Result<Void, RelayError> = file.withLock { file in
            if let owner = file.keys.first(where: { $0.value.ports.contains(where: { $0.port == port }) })?.key,
                owner != key
            {
                if sameOwner(owner) { return .success(()) }
                return .failure(.refused("port \(port) is reserved by another key; ask for port 0 to get a free one"))
            }
            var entry = file.keys[key, default: .init()]
            if entry.ports.contains(.init(label: label, port: port)) { return .success(()) }
            entry.ports.removeAll { (movingLabel && $0.label == label) || $0.port == port }
            guard held(entry) < maximumPerKey else { return .failure(capReached("reuse one of its ports")) }
            entry.ports.append(.init(label: label, port: port))
            file.keys[key] = entry
            save(file)
            return .success(())
        }
        try result.get()
    }

    /// Hands `table` to the background writer (the newest table wins). Called
    /// under the table's lock, so tables reach the writer in the order they
    /// were made.
    private func save(_ table: ReservationsFile) {
        let queue = pending.withLock { pending in
            pending.table = table
            defer { pending.queued = true }
            return !pending.queued
        }
        if queue { writer.async { self.drain() } }
    }

    private func drain() {
        while let table = pending.withLock({ pending -> ReservationsFile? in
            defer { pending.table = nil }
            if pending.table == nil { pending.queued = false }
            return pending.table
        }) {
            do {
                try FileLock.withLock(ReservationsFile.lockPath(for: path)) { try table.write(to: path) }
            } catch {
                log("could not save \(path) (\(error)); the reservations stay in memory and the next change retries")
            }
        }
    }

    /// Waits until every change so far is on disk (tests, shutdown).
    package func flush() {
        writer.sync {}
    }
}
