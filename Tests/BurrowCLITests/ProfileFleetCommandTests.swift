import BurrowTestSupport
import Foundation
import Testing

/// `burrow profile add … --fleet` (issue 16): the relays are checked like
/// the profile's own address, stored normalized, listed by `profile ls`; a
/// bad one is a clear error and changes nothing.
@Suite(.spawnsProcesses) struct ProfileFleetCommandTests {
    @Test func addAFleetListItAndRefuseBadEndpoints() throws {
        let (cli, before) = try CLIRunner.withHomeProfile()
        defer { cli.remove() }

        for bad in ["r2.example.com,r3 example", "r2:99999", "r2,,r3", "r2/x"] {
            let refused = try cli.run("profile", "add", "prod", "r1.example.com", "--fleet", bad)
            #expect(refused.status != 0, "--fleet \(bad) was accepted")
            #expect(refused.stderr.hasPrefix("Error: invalid"), "--fleet \(bad): \(refused.stderr)")
            #expect(cli.bytes("config.json") == before, "--fleet \(bad) changed config.json")
        }

        let added = try cli.run("profile", "add", "prod", "r1.example.com", "--fleet", "r2.example.com, r3.example.com:2022")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("(burrow@r1.example.com:2222, burrow's own key, fleet of 3 relays)"), "\(added.stdout)")
        let listed = try cli.json("profile", "ls", "--json")
        #expect(listed.first { $0["name"] as? String == "prod" }?["fleet"] as? [String] == ["r2.example.com:2222", "r3.example.com:2022"])
        #expect(listed.first { $0["name"] as? String == "home" }?["fleet"] == nil)
        let table = try cli.run("profile", "ls").stdout.split(separator: "\n")
        #expect(table.first?.split(separator: " ") == ["NAME", "HOST", "USER", "IDENTITY", "FLEET", "SELECTED"])
        #expect(table.contains { $0.hasPrefix("prod ") && $0.contains("r2.example.com:2222,r3.example.com:2022") })
        #expect(table.contains { $0.hasPrefix("home ") && $0.contains(" - ") })
    }
}
