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

/// `burrow up --connections N` and `BURROW_CONNECTIONS` out of range or not a
/// number: one clear line, exit 1, nothing started (also with `--detach`).
@Suite(.spawnsProcesses) struct UpConnectionsOptionTests {
    @Test func badCountsAreRefusedBeforeAnythingStarts() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        for arguments in [["up", "--connections", "0"], ["up", "--detach", "--connections", "17"]] {
            let refused = try cli.runRaw(["--config-dir", cli.configDir] + arguments)
            #expect(refused.status != 0, "\(arguments) was accepted")
            #expect(refused.stderr.contains("--connections \(arguments.last!): use 1 to 16"), "\(arguments): \(refused.stderr)")
        }
        var environment = cli.environment
        environment["BURROW_CONNECTIONS"] = "many"
        let refused = try cli.runRaw(["--config-dir", cli.configDir, "up"], environment: environment)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("BURROW_CONNECTIONS=many: use a number from 1 to 16"), "\(refused.stderr)")
        #expect(cli.bytes("engine.lock") == nil, "an engine was started")
    }
}
