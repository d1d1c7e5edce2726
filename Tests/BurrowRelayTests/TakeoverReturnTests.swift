import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// A second connection of the same key takes a name over; when it leaves,
/// the name returns at once to the first connection, still open and healthy.
/// Stock OpenSSH clients, python3 services, curl visitors.
@Suite("Same-key takeover undone", .spawnsProcesses, .timeLimit(.minutes(10)))
struct TakeoverReturnTests {
    @Test("when the newer connection leaves, the name is served by the older one at once (no 502)")
    func nameReturnsToTheRemainingHolder() async throws {
        try await RelayTest.run { test in
            let (kit, log) = (test.kit, test.log)
            let oldSite = try await kit.site("old", index: "old\n")
            let newSite = try await kit.site("new", index: "new\n")
            let url = test.url("site", "/index.html")
            let old = try test.ssh(["site:80:127.0.0.1:\(oldSite)"])
            #expect(try await kit.waitUntilServed(url) == "old\n")
            let new = try test.ssh(["site:80:127.0.0.1:\(newSite)"])
            var body = ""
            for _ in 0..<100 where body != "new\n" {
                body = try await kit.curl(url, timeout: 5).body
                if body != "new\n" { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(body == "new\n")

            // Counted before the kill: the relay may log the disconnect before this line runs.
            let gone = log.text.split(separator: "\n").filter { $0.contains("disconnected") }.count
            new.kill()
            // Wait (bounded) until the relay has seen the newer connection go.
            for _ in 0..<1200 {
                if log.text.split(separator: "\n").filter({ $0.contains("disconnected") }).count > gone { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(log.text.split(separator: "\n").filter { $0.contains("disconnected") }.count > gone, "\(log.text)")
            // At once: the very next visitor is served by the older connection.
            let after = try await kit.curl(url, timeout: 5)
            #expect(after.status == 200 && after.body == "old\n", "\(after.status) \(after.body)\n\(log.text)")
            #expect(old.isRunning)
        }
    }
}
