import BurrowTestSupport
import Foundation
import NIOCore
import Testing

@testable import BurrowRelay

/// Repeated failed logins from one address are slowed down with a growing
/// penalty (like OpenSSH's PerSourcePenalties); other addresses are not.
@Suite("Failed-login penalties", .spawnsProcesses, .timeLimit(.minutes(10)))
struct LoginPenaltyTests {
    @Test("after 3 failed connections an address is shut out, for longer each time; another address still logs in")
    func penaltyGrowsAndIsPerAddress() async throws {
        try await RelayTest.run(limits: #""sshLoginPenaltySeconds": 2, "limitReportIntervalSeconds": 0.1"#) { test in
            let log = test.log
            let stranger = try await test.kit.makeKey("stranger", authorize: false)
            func attempt() async throws -> String {
                let ssh = try test.ssh(key: stranger, [])
                #expect(try await ssh.wait(timeout: .seconds(20)) == 255)
                return ssh.stderr
            }
            for _ in 0..<4 { #expect(try await attempt().contains("Permission denied (publickey)")) }
            // The 4th failure earned 2 s: the next connection is closed before the banner.
            let shut = try await attempt()
            #expect(!shut.contains("Permission denied"), "\(shut)")
            #expect(log.text.contains("closed for 2 s (sshLoginPenaltySeconds"), "\(log.text)")
            // Another address is not affected.
            let other = try test.ssh([], extra: ["-b", "127.0.0.2"], command: "burrow-control")
            _ = try await other.waitFor("\"welcome\"")
            other.kill()
            // Once the penalty is over the address may try again; its next failure costs twice as much.
            try await Task.sleep(for: .milliseconds(2300))
            #expect(try await attempt().contains("Permission denied (publickey)"))
            #expect(!(try await attempt()).contains("Permission denied"))
            #expect(log.text.contains("closed for 4 s (sshLoginPenaltySeconds"), "\(log.text)")
        }
    }

    @Test("the penalty doubles up to its maximum, a login forgives, IPv6 counts by /64, the table stays bounded")
    func penaltyBoxRules() {
        let box = LoginPenaltyBox(base: .seconds(5), maximum: .seconds(30), freeStrikes: 3, capacity: 100)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
        var now = start
        var penalties: [Int64] = []
        for _ in 0..<7 {
            if let penalty = box.strike("192.0.2.1", now: now) { penalties.append(penalty.nanoseconds / 1_000_000_000) }
            now = now + .seconds(1)
        }
        #expect(penalties == [5, 10, 20, 30])
        #expect(box.penalty(for: "192.0.2.1", now: now) != nil)
        #expect(box.penalty(for: "192.0.2.2", now: now) == nil)
        box.forgive("192.0.2.1")
        #expect(box.penalty(for: "192.0.2.1", now: now) == nil)

        for _ in 0..<4 { box.strike("2001:db8:1:2:aaaa::1", now: now) }
        #expect(box.penalty(for: "2001:db8:1:2:ffff::9", now: now) != nil)
        #expect(box.penalty(for: "2001:db8:1:3::1", now: now) == nil)
        #expect(LoginPenaltyBox.source("2001:db8::1") == "2001:db8:0:0::/64")

        for index in 0..<1000 { box.strike("198.51.100.\(index % 250)-\(index)", now: now) }
        #expect(box.count <= 100)
    }
}
