import BurrowTestSupport
import Foundation
import Testing

/// Several `burrow serve --cluster` members sharing one real PostgreSQL
/// (started by the test), with stock `ssh -R` agents.
@Suite("A fleet of relays sharing PostgreSQL", .spawnsProcesses, .serialized)
struct FleetTests {
    @Test("A name taken on member A is refused to another key on member B (with the reason) and served to its owner there")
    func sharedReservations() async throws {
        try await FleetKit.scene { kit, database in
            let alice = try await kit.makeKey("alice")
            let bob = try await kit.makeKey("bob")
            let web = try await kit.site(index: "hello from alice")
            let (portsA, portsB) = (try kit.ports(), try kit.ports())
            let a = try await kit.member("a", cluster: database.url, ports: portsA)
            let b = try await kit.member("b", cluster: database.socketURL, ports: portsB)
            #expect(!a.stdout.contains(database.password) && !a.stderr.contains(database.password))

            _ = try kit.ssh(key: alice, port: portsA.ssh, forwards: ["demo:80:127.0.0.1:\(web)"])
            #expect(try await FleetKit.eventually { try await kit.curl(port: portsA.http, host: "demo.localhost").body == "hello from alice" })

            let refused = try kit.ssh(key: bob, port: portsB.ssh, forwards: ["demo:80:127.0.0.1:\(web)"])
            #expect(try await refused.wait(timeout: .seconds(20)) == 255)
            #expect(b.stderr.contains("refused demo:80: name 'demo' is reserved by another key"))

            _ = try kit.ssh(key: alice, port: portsB.ssh, forwards: ["demo:80:127.0.0.1:\(web)"])
            #expect(try await FleetKit.eventually { try await kit.curl(port: portsB.http, host: "demo.localhost").body == "hello from alice" })
            // One row, filed under alice's key.
            #expect(try await database.psql("SELECT count(*) FROM burrow_names WHERE name = 'demo'") == "1\n")

            // TCP ports too: alice's port on A is refused to bob on B, and granted to alice there.
            let echo = try kit.ssh(key: alice, port: portsA.ssh, forwards: ["0:127.0.0.1:\(web)"])
            let port = Int(try await a.waitFor("tcp://localhost:(\\d+)", inStderr: true, timeout: .seconds(20)))!
            echo.kill()
            let taken = try kit.ssh(key: bob, port: portsB.ssh, forwards: ["\(port):127.0.0.1:\(web)"])
            #expect(try await taken.wait(timeout: .seconds(20)) == 255)
            #expect(b.stderr.contains("port \(port) is reserved by another key"), "\(b.stderr.suffix(1000))")
            _ = try kit.ssh(key: alice, port: portsB.ssh, forwards: ["\(port):127.0.0.1:\(web)"])
            #expect(await FleetKit.eventually { b.stderr.contains("tcp://localhost:\(port)") }, "\(b.stderr.suffix(1000))")
        }
    }

    @Test("Two keys racing for one name on two members, 100 rounds: exactly one wins each time")
    func race() async throws {
        try await FleetKit.scene { kit, database in
            let alice = try await kit.makeKey("alice")
            let bob = try await kit.makeKey("bob")
            let web = try await kit.site(index: "race")
            let (portsA, portsB) = (try kit.ports(), try kit.ports())
            // Each key wins about 50 names: above the default cap of names per key.
            let settings = #"{"version": 1, "limits": {"maxReservationsPerKey": 1000, "maxMappingsPerKey": 1000}}"#
            let a = try await kit.member("a", cluster: database.url, ports: portsA, heartbeat: 2, relayJSON: settings)
            let b = try await kit.member("b", cluster: database.url, ports: portsB, heartbeat: 2, relayJSON: settings)
            var wins = (alice: 0, bob: 0)
            let started = ContinuousClock.now
            for round in 0..<100 {
                let name = "race-\(round)"
                // Odd rounds swap who dials whom, so neither member is always first.
                let (first, second) = round % 2 == 0 ? ((alice, portsA, a), (bob, portsB, b)) : ((alice, portsB, b), (bob, portsA, a))
                let one = try kit.ssh(key: first.0, port: first.1.ssh, forwards: ["\(name):80:127.0.0.1:\(web)"])
                let two = try kit.ssh(key: second.0, port: second.1.ssh, forwards: ["\(name):80:127.0.0.1:\(web)"])
                let granted = "http://\(name).localhost"
                let oneResult = try await FleetKit.outcome(of: one, name: name) { first.2.stderr.contains(granted + ":\(first.1.http) ") }
                let twoResult = try await FleetKit.outcome(of: two, name: name) { second.2.stderr.contains(granted + ":\(second.1.http) ") }
                #expect([oneResult, twoResult].sorted() == [0, 255], "round \(round): \(oneResult) \(twoResult)")
                if oneResult == 0 { wins.alice += round % 2 == 0 ? 1 : 0; wins.bob += round % 2 == 0 ? 0 : 1 }
                if twoResult == 0 { wins.bob += round % 2 == 0 ? 1 : 0; wins.alice += round % 2 == 0 ? 0 : 1 }
                one.kill()
                two.kill()
            }
            let holders = try await database.psql("SELECT count(DISTINCT name), count(*) FROM burrow_names WHERE name LIKE 'race-%'")
            #expect(holders == "100|100\n")
            let refusals = (a.stderr + b.stderr).components(separatedBy: "is reserved by another key").count - 1
            #expect(refusals == 100)
            print("fleet race: 100 rounds in \(ContinuousClock.now - started), alice won \(wins.alice), bob \(wins.bob), refused 100 with the reason")
        }
    }

    @Test("The fleet message lists the live members; a member that stops is dropped")
    func fleetMessage() async throws {
        try await FleetKit.scene { kit, database in
            let alice = try await kit.makeKey("alice")
            let (portsA, portsB) = (try kit.ports(), try kit.ports())
            _ = try await kit.member("a", cluster: database.url, ports: portsA)
            let b = try await kit.member("b", cluster: database.url, ports: portsB)
            let sorted = [portsA.ssh, portsB.ssh].map { "127.0.0.1:\($0)" }.sorted()
            let control = try kit.ssh(key: alice, port: portsA.ssh, forwards: [], command: "burrow-control")
            // After welcome: both members (the order is the database's, sorted).
            #expect(await FleetKit.eventually {
                control.stdout.contains("\"type\":\"fleet\"") && control.stdout.contains("\"\(sorted[0])\",\"\(sorted[1])\"")
            }, "\(control.stdout)")
            b.signal(SIGTERM)
            try await b.wait(timeout: .seconds(30))
            #expect(await FleetKit.eventually(.seconds(10)) {
                control.stdout.contains("\"relays\":[\"127.0.0.1:\(portsA.ssh)\"]")
            }, "\(control.stdout)")
        }
    }

    @Test("PostgreSQL stopped under a member: new names refused with the reason, held names served, /healthz 503; all back after a restart")
    func databaseOutage() async throws {
        try await FleetKit.scene { kit, database in
            let alice = try await kit.makeKey("alice")
            let web = try await kit.site(index: "kept")
            let ports = try kit.ports()
            let a = try await kit.member("a", cluster: database.url, ports: ports)
            _ = try kit.ssh(key: alice, port: ports.ssh, forwards: ["kept:80:127.0.0.1:\(web)"])
            #expect(try await FleetKit.eventually { try await kit.curl(port: ports.http, host: "kept.localhost").body == "kept" })
            #expect(try await kit.curl(port: ports.metrics, host: "127.0.0.1", path: "/healthz").status == 200)
            let metrics = try await kit.curl(port: ports.metrics, host: "127.0.0.1", path: "/metrics").body
            #expect(metrics.contains("burrow_fleet_database_up 1") && metrics.contains("burrow_fleet_members_count 1"), "\(metrics)")

            await database.stopServer()
            let stoppedAt = ContinuousClock.now
            #expect(try await FleetKit.eventually { try await kit.curl(port: ports.metrics, host: "127.0.0.1", path: "/healthz").status == 503 })
            let health = try await kit.curl(port: ports.metrics, host: "127.0.0.1", path: "/healthz")
            #expect(health.body.contains("the relay fleet's database is unreachable"), "\(health.body)")
            #expect(try await kit.curl(port: ports.metrics, host: "127.0.0.1", path: "/metrics").body.contains("burrow_fleet_database_up 0"))
            print("fleet outage: /healthz 503 \(ContinuousClock.now - stoppedAt) after PostgreSQL stopped")

            let fresh = try kit.ssh(key: alice, port: ports.ssh, forwards: ["fresh:80:127.0.0.1:\(web)"])
            #expect(try await fresh.wait(timeout: .seconds(20)) == 255)
            #expect(a.stderr.contains("refused fresh:80: the relay fleet's database is unreachable; try again"))
            // Held: still served, and the same key may take it again on a new connection.
            #expect(try await kit.curl(port: ports.http, host: "kept.localhost").body == "kept")
            let again = try kit.ssh(key: alice, port: ports.ssh, forwards: ["kept:80:127.0.0.1:\(web)"])
            try await Task.sleep(for: .seconds(1))
            #expect(again.isRunning, "\(a.stderr.suffix(2000))")
            #expect(!a.stderr.contains(database.password))

            try await database.startServer()
            let restartedAt = ContinuousClock.now
            #expect(try await FleetKit.eventually(.seconds(30)) { try await kit.curl(port: ports.metrics, host: "127.0.0.1", path: "/healthz").status == 200 })
            print("fleet outage: /healthz 200 again \(ContinuousClock.now - restartedAt) after PostgreSQL restarted")
            let later = try kit.ssh(key: alice, port: ports.ssh, forwards: ["fresh:80:127.0.0.1:\(web)"])
            #expect(try await FleetKit.eventually { try await kit.curl(port: ports.http, host: "fresh.localhost").body == "kept" })
            #expect(later.isRunning)
        }
    }

    @Test("Three members starting at once on an empty database: one migration, all start (one named by relay.json)")
    func concurrentStart() async throws {
        try await FleetKit.scene { kit, database in
            _ = try await kit.makeKey("alice")
            let ports = try (0..<3).map { _ in try kit.ports() }
            let fromFile = #"{"version": 1, "cluster": {"url": "\#(database.url)", "heartbeatSeconds": 0.5}}"#
            var members: [TestProcess] = []
            for (index, member) in ports.enumerated() {
                members.append(try await kit.member(
                    "m\(index)", cluster: index == 2 ? nil : database.url, ports: member, relayJSON: index == 2 ? fromFile : nil, wait: false))
            }
            for member in members { _ = try await member.waitFor("fleet +postgres", timeout: .seconds(60)) }
            #expect(try await database.psql("SELECT version FROM burrow_schema") == "1\n")
            let created = members.filter { $0.stderr.contains("schema created at version 1") }.count
            #expect(created == 1, "\(members.map(\.stderr))")
            #expect(await FleetKit.eventually {
                (try? await database.psql("SELECT count(*) FROM burrow_members")) == "3\n"
            })
            #expect(!members.contains { ($0.stdout + $0.stderr).contains(database.password) })
        }
    }

    @Test("PostgreSQL down at start: exit non-zero, one line, no password")
    func downAtStart() async throws {
        let kit = try FleetKit()
        defer { kit.cleanUp() }
        let closed = try FreePorts.take(1)[0]
        let secret = "pw-never-shown-4711"
        let serve = try await TestProcess.run(
            FleetKit.burrowBinary,
            ["serve", "--state-dir", kit.directory + "/state", "--bind", "127.0.0.1", "--ssh-port", "0", "--http-port", "0", "--tls-port", "0",
             "--cluster", "postgres://burrow:\(secret)@127.0.0.1:\(closed)/fleet"],
            timeout: .seconds(30))
        #expect(serve.exitStatus == 1)
        let lines = serve.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(serve.stderr)")
        #expect(serve.stderr.contains("cannot reach the fleet's database postgres://burrow:***@127.0.0.1:\(closed)/fleet"))
        #expect(!(serve.stdout + serve.stderr).contains(secret))

        // Fleet flags without a fleet: a clear error, nothing started.
        let lonely = try await TestProcess.run(
            FleetKit.burrowBinary,
            ["serve", "--state-dir", kit.directory + "/state", "--bind", "127.0.0.1", "--ssh-port", "0", "--http-port", "0", "--tls-port", "0",
             "--advertise", "r1.example.com:2222"],
            timeout: .seconds(30))
        #expect(lonely.exitStatus == 1)
        #expect(lonely.stderr.contains("--advertise needs --cluster"), "\(lonely.stderr)")
    }

    @Test("--import-state moves reservations.json into the database once; a conflict imports nothing")
    func importState() async throws {
        try await FleetKit.scene { kit, database in
            let old = kit.directory + "/old"
            try FileManager.default.createDirectory(atPath: old, withIntermediateDirectories: true)
            try #"""
            {"version": 1, "keys": {
              "SHA256:alice": {"autoName": "calm-otter", "names": ["calm-otter", "demo"], "ports": [{"label": "db", "port": 23042}]},
              "SHA256:bob": {"names": ["shop"]}
            }}
            """#.write(toFile: old + "/reservations.json", atomically: true, encoding: .utf8)
            let first = try await TestProcess.run(
                FleetKit.burrowBinary, ["serve", "--cluster", database.url, "--import-state", old], timeout: .seconds(60))
            #expect(first.exitStatus == 0, "\(first.stderr)")
            #expect(first.stdout.contains("2 key(s), 3 name(s), 1 port(s) new, 0 already there"), "\(first.stdout)")
            #expect(!first.stdout.contains(database.password))
            #expect(try await database.psql("SELECT name, key, auto FROM burrow_names ORDER BY name") == "calm-otter|SHA256:alice|t\ndemo|SHA256:alice|f\nshop|SHA256:bob|f\n")
            #expect(try await database.psql("SELECT port, key, label FROM burrow_ports") == "23042|SHA256:alice|db\n")

            let again = try await TestProcess.run(
                FleetKit.burrowBinary, ["serve", "--cluster", database.url, "--import-state", old], timeout: .seconds(60))
            #expect(again.stdout.contains("0 name(s), 0 port(s) new, 4 already there"), "\(again.stdout)")

            let clash = kit.directory + "/clash"
            try FileManager.default.createDirectory(atPath: clash, withIntermediateDirectories: true)
            try #"{"version": 1, "keys": {"SHA256:carol": {"names": ["new-one", "demo"]}}}"#
                .write(toFile: clash + "/reservations.json", atomically: true, encoding: .utf8)
            let refused = try await TestProcess.run(
                FleetKit.burrowBinary, ["serve", "--cluster", database.url, "--import-state", clash], timeout: .seconds(60))
            #expect(refused.exitStatus == 1)
            #expect(refused.stderr.contains("nothing was imported: 1 conflict(s)"), "\(refused.stderr)")
            #expect(refused.stderr.contains("name 'demo' is held by SHA256:alice"))
            #expect(try await database.psql("SELECT count(*) FROM burrow_names WHERE name = 'new-one'") == "0\n")

            // The operator's view and release, in the database.
            let list = try await TestProcess.run(
                FleetKit.burrowBinary, ["serve", "reservations", "ls", "--cluster", database.url], timeout: .seconds(60))
            #expect(list.exitStatus == 0, "\(list.stderr)")
            #expect(list.stdout.contains("SHA256:alice") && list.stdout.contains("23042") && list.stdout.contains("picked by the relay"), "\(list.stdout)")
            let release = try await TestProcess.run(
                FleetKit.burrowBinary, ["serve", "reservations", "rm", "--cluster", database.url, "demo", "23042"], timeout: .seconds(60))
            #expect(release.stdout.contains("released name demo (held by SHA256:alice)"), "\(release.stdout) \(release.stderr)")
            #expect(try await database.psql("SELECT count(*) FROM burrow_names WHERE name = 'demo'") == "0\n")
            #expect(try await database.psql("SELECT count(*) FROM burrow_ports") == "0\n")
            let missing = try await TestProcess.run(
                FleetKit.burrowBinary, ["serve", "reservations", "rm", "--cluster", database.url, "shop", "nope"], timeout: .seconds(60))
            #expect(missing.exitStatus == 1)
            #expect(missing.stderr.contains("nothing reserved as 'nope'"), "\(missing.stderr)")
            #expect(try await database.psql("SELECT count(*) FROM burrow_names WHERE name = 'shop'") == "1\n")
        }
    }
}
