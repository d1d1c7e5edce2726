import BurrowTestSupport
import Foundation
import Testing

@testable import BurrowRelay

/// `sshMaxUnauthenticatedPerIP`: one address cannot hold more SSH connections
/// open without logging in than the limit (like OpenSSH's
/// PerSourceMaxStartups); a login gives its place back, and other addresses
/// are not affected.
@Suite("SSH connections not logged in, per address", .spawnsProcesses, .timeLimit(.minutes(5)))
struct UnauthenticatedLimitTests {
    /// `count` SSH connections from 127.0.0.1 that never log in: what the relay said first on each.
    private static func hold(_ test: RelayTest, _ count: Int) async throws -> (TestProcess, [String]) {
        let script = try HostileClient.install(in: test.kit)
        let holder = try TestProcess("python3", [script, "ssh-hold", String(test.relay.sshPort), String(count), "120"])
        let said = try await holder.waitForOutput("HELD", timeout: .seconds(60))
        let answers = said.split(separator: "\n").filter { $0.hasPrefix("SSH ") }.map { String($0.split(separator: " ")[2]) }
        return (holder, answers)
    }

    @Test("the 4th connection of one address not logged in is closed before the banner; a login frees a place; another address logs in")
    func limitPerAddress() async throws {
        try await RelayTest.run(limits: #""sshMaxUnauthenticatedPerIP": 3, "sshAuthTimeoutSeconds": 120, "limitReportIntervalSeconds": 0.1"#) { test in
            let (holder, answers) = try await Self.hold(test, 4)
            #expect(answers == ["banner", "banner", "banner", "closed"], "\(answers)")
            #expect(test.log.text.contains("3 from this address are open and not logged in yet (sshMaxUnauthenticatedPerIP)"), "\(test.log.text)")
            // A real agent from the same address is turned away too while the three are held…
            let refused = try test.ssh([], command: "burrow-control")
            #expect(try await refused.wait(timeout: .seconds(30)) == 255)
            // …but another address logs in.
            let other = try test.ssh([], extra: ["-b", "127.0.0.2"], command: "burrow-control")
            _ = try await other.waitFor("\"welcome\"")
            // The held ones end: the address has its places back, and a logged-in connection holds none.
            holder.kill()
            _ = try await holder.wait(timeout: .seconds(30))
            let agent = try await test.welcomedControl()
            #expect(agent != nil, "no login once the held connections closed")
            let (again, answersAgain) = try await Self.hold(test, 3)
            #expect(answersAgain == ["banner", "banner", "banner"], "\(answersAgain)")
            again.kill()
            agent?.kill()
            other.kill()
        }
    }

    @Test("places are counted per address (IPv6 by /64) and given back once")
    func counting() {
        let table = ConnectionCounts(maximum: 2)
        #expect(table.enter("192.0.2.1") && table.enter("192.0.2.1"))
        #expect(!table.enter("192.0.2.1"))
        #expect(table.enter("192.0.2.2"))
        table.leave("192.0.2.1")
        #expect(table.count("192.0.2.1") == 1)
        #expect(table.enter("192.0.2.1"))
        let v6 = LoginPenaltyBox.source("2001:db8:1:2::5")
        #expect(v6 == LoginPenaltyBox.source("2001:db8:1:2:ffff::9"))
        #expect(table.enter(v6) && table.enter(v6) && !table.enter(v6))
        table.leave(v6)
        table.leave(v6)
        table.leave(v6)
        #expect(table.count(v6) == 0)
        #expect(table.enter(v6))
    }
}
