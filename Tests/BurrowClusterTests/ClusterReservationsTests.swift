@testable import BurrowCluster
import BurrowRelay
import BurrowTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The PostgreSQL reservations backend in process, against a real server:
/// many concurrent claims from two "members", the per-key cap, an outage,
/// and what a claim costs next to the JSON file.
@Suite("Fleet reservations in PostgreSQL, in process", .spawnsProcesses, .serialized)
struct ClusterReservationsTests {
    static func member(_ database: PostgresServer, maximumPerKey: Int = 100_000) async throws -> (PostgresFleet, any ReservationBackend) {
        let fleet = PostgresFleet(
            address: try ClusterAddress.parse(database.url), advertise: nil, defaultHost: "127.0.0.1", heartbeat: .milliseconds(500))
        return (fleet, try await fleet.open(maximumPerKey: maximumPerKey, log: { _ in }))
    }

    static let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test("Two members, 4 keys, 200 names claimed all at once: each name has exactly one owner; every loser is told why")
    func concurrentClaims() async throws {
        try await PostgresServer.with { database in
            let (fleetA, a) = try await Self.member(database)
            let (fleetB, b) = try await Self.member(database)
            let keys = ["SHA256:k1", "SHA256:k2", "SHA256:k3", "SHA256:k4"]
            let outcomes = await withTaskGroup(of: (String, String, String?).self) { group in
                for index in 0..<200 {
                    for (number, key) in keys.enumerated() {
                        let backend = number % 2 == 0 ? a : b
                        group.addTask {
                            do {
                                try await backend.claim(name: "n\(index)", for: key, sameOwner: { _ in false }, on: Self.loop).get()
                                return ("n\(index)", key, nil)
                            } catch {
                                return ("n\(index)", key, "\(error)")
                            }
                        }
                    }
                }
                var outcomes: [(String, String, String?)] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let winners = Dictionary(grouping: outcomes.filter { $0.2 == nil }, by: \.0)
            #expect(winners.count == 200)
            #expect(winners.values.allSatisfy { $0.count == 1 })
            let refusals = outcomes.compactMap(\.2)
            #expect(refusals.count == 600)
            #expect(refusals.allSatisfy { $0.contains("is reserved by another key") }, "\(Set(refusals))")
            #expect(try await database.psql("SELECT count(*) FROM burrow_names") == "200\n")
            await fleetA.leave()
            await fleetB.leave()
        }
    }

    @Test("The per-key cap holds across members (maxReservationsPerKey)")
    func cap() async throws {
        try await PostgresServer.with { database in
            let (fleetA, a) = try await Self.member(database, maximumPerKey: 3)
            let (fleetB, b) = try await Self.member(database, maximumPerKey: 3)
            try await a.claim(name: "one", for: "SHA256:k", sameOwner: { _ in false }, on: Self.loop).get()
            try await b.claim(name: "two", for: "SHA256:k", sameOwner: { _ in false }, on: Self.loop).get()
            try await a.claim(port: 23001, label: "db", for: "SHA256:k", movingLabel: true, sameOwner: { _ in false }, on: Self.loop).get()
            await #expect(throws: RelayError.self) {
                try await b.claim(name: "four", for: "SHA256:k", sameOwner: { _ in false }, on: Self.loop).get()
            }
            do {
                _ = try await b.autoName(for: "SHA256:k", avoiding: [], on: Self.loop).get()
                Issue.record("a fourth reservation was granted")
            } catch {
                #expect("\(error)".contains("maxReservationsPerKey"), "\(error)")
            }
            // The same key asking again for what it holds is not a new reservation.
            try await b.claim(name: "one", for: "SHA256:k", sameOwner: { _ in false }, on: Self.loop).get()
            // A port-0 forward of the same label moves its port (still 3 held).
            try await b.claim(port: 23002, label: "db", for: "SHA256:k", movingLabel: true, sameOwner: { _ in false }, on: Self.loop).get()
            #expect(try await database.psql("SELECT port FROM burrow_ports") == "23002\n")
            await fleetA.leave()
            await fleetB.leave()
        }
    }

    @Test("Keys of one owner (burrow-owner) share names and ports across members; another owner is refused")
    func sameOwner() async throws {
        try await PostgresServer.with { database in
            let (fleetA, a) = try await Self.member(database)
            let (fleetB, b) = try await Self.member(database)
            let team: @Sendable (String) -> Bool = { $0 == "SHA256:laptop" || $0 == "SHA256:server" }
            try await a.claim(name: "team", for: "SHA256:laptop", sameOwner: team, on: Self.loop).get()
            try await a.claim(port: 23010, label: "", for: "SHA256:laptop", movingLabel: false, sameOwner: team, on: Self.loop).get()
            // The other member has not reloaded yet: the database answers.
            try await b.claim(name: "team", for: "SHA256:server", sameOwner: team, on: Self.loop).get()
            try await b.claim(port: 23010, label: "", for: "SHA256:server", movingLabel: false, sameOwner: team, on: Self.loop).get()
            await #expect(throws: RelayError.self) {
                try await b.claim(name: "team", for: "SHA256:stranger", sameOwner: { _ in false }, on: Self.loop).get()
            }
            await #expect(throws: RelayError.self) {
                try await a.claim(port: 23010, label: "", for: "SHA256:stranger", movingLabel: false, sameOwner: { _ in false }, on: Self.loop).get()
            }
            // Still filed under the key that took them.
            #expect(try await database.psql("SELECT key FROM burrow_names UNION ALL SELECT key FROM burrow_ports") == "SHA256:laptop\nSHA256:laptop\n")
            await fleetA.leave()
            await fleetB.leave()
        }
    }

    @Test("Database down: new names refused within the deadline with the reason; names this member knows stay granted")
    func outage() async throws {
        try await PostgresServer.with { database in
            let (fleet, backend) = try await Self.member(database)
            await fleet.join(sshPort: 2222) { _ in }
            try await backend.claim(name: "held", for: "SHA256:k", sameOwner: { _ in false }, on: Self.loop).get()
            try await backend.claim(name: "theirs", for: "SHA256:other", sameOwner: { _ in false }, on: Self.loop).get()
            await database.stopServer()
            // Once a heartbeat failed, claims give up after 1 s.
            #expect(await FleetKit.eventually(.seconds(10)) { fleet.trouble != nil })
            let started = ContinuousClock.now
            do {
                try await backend.claim(name: "new", for: "SHA256:k", sameOwner: { _ in false }, on: Self.loop).get()
                Issue.record("granted while the database is down")
            } catch {
                #expect("\(error)" == "the relay fleet's database is unreachable; try again")
            }
            #expect(ContinuousClock.now - started < .seconds(3))
            try await backend.claim(name: "held", for: "SHA256:k", sameOwner: { _ in false }, on: Self.loop).get()
            await #expect(throws: RelayError.self) {
                try await backend.claim(name: "theirs", for: "SHA256:k", sameOwner: { _ in false }, on: Self.loop).get()
            }
            #expect(backend.owner(ofName: "held") == "SHA256:k")
            try await database.startServer()
            #expect(await FleetKit.eventually(.seconds(20)) { fleet.trouble == nil })
            try await backend.claim(name: "new", for: "SHA256:k", sameOwner: { _ in false }, on: Self.loop).get()
            await fleet.leave()
        }
    }

    @Test("What a claim costs: p50/p99 of 300 new names, PostgreSQL vs reservations.json")
    func claimLatency() async throws {
        try await PostgresServer.with { database in
            let (fleet, backend) = try await Self.member(database)
            let directory = NSTemporaryDirectory() + "burrow-claims-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let file = try ReservationStore(path: directory + "/reservations.json", maximumPerKey: 100_000)
            func measure(_ backend: any ReservationBackend) async throws -> [Duration] {
                var times: [Duration] = []
                for index in 0..<300 {
                    let started = ContinuousClock.now
                    try await backend.claim(name: "c\(index)", for: "SHA256:k\(index % 10)", sameOwner: { _ in false }, on: Self.loop).get()
                    times.append(ContinuousClock.now - started)
                }
                return times.sorted()
            }
            let cluster = try await measure(backend)
            let json = try await measure(file)
            file.flush()
            func line(_ times: [Duration]) -> String {
                let micro = { (d: Duration) in Int(Double(d.components.attoseconds) / 1e12 + Double(d.components.seconds) * 1e6) }
                return "p50 \(micro(times[times.count / 2])) µs, p99 \(micro(times[times.count * 99 / 100])) µs"
            }
            print("fleet claim cost (300 new names, debug build, loopback PostgreSQL 15): postgres \(line(cluster)); reservations.json \(line(json))")
            #expect(cluster[cluster.count * 99 / 100] < .seconds(1))
            await fleet.leave()
        }
    }
}
