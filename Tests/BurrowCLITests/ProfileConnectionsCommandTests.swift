import BurrowTestSupport
import Foundation
import Testing

/// `burrow profile add … --connections N` (issue 15): stored in the profile
/// and listed by `profile ls --json`; a count out of range is a clear error
/// and changes nothing.
@Suite(.spawnsProcesses) struct ProfileConnectionsCommandTests {
    @Test func addAProfileWithConnectionsAndRefuseBadCounts() throws {
        let (cli, before) = try CLIRunner.withHomeProfile()
        defer { cli.remove() }

        for bad in ["0", "17", "-1"] {
            let refused = try cli.run("profile", "add", "prod", "r1.example.com", "--connections=\(bad)")
            #expect(refused.status != 0, "--connections \(bad) was accepted")
            #expect(refused.stderr.contains("Error: invalid --connections \(bad): use 1 to 16"), "--connections \(bad): \(refused.stderr)")
            #expect(cli.bytes("config.json") == before, "--connections \(bad) changed config.json")
        }

        let added = try cli.run("profile", "add", "prod", "r1.example.com", "--connections", "3")
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try cli.json("profile", "ls", "--json")
        #expect(listed.first { $0["name"] as? String == "prod" }?["connections"] as? Int == 3)
        #expect(listed.first { $0["name"] as? String == "home" }?["connections"] == nil)
        let config = String(decoding: cli.bytes("config.json") ?? Data(), as: UTF8.self)
        #expect(config.contains("\"connections\": 3"), "\(config)")
    }
}
