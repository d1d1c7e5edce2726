import BurrowTestSupport
import Foundation
import Testing

/// Every bad input: non-zero exit, exactly one line on stderr naming the bad
/// value and what is accepted, nothing on stdout, no usage dump.
@Suite(.spawnsProcesses) struct BadInputTests {
    struct Case: CustomStringConvertible, Sendable {
        var arguments: [String]
        var expected: [String]
        var description: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(arguments: ["map", "add", "http", "0"], expected: ["'0'", "1 to 65535"]),
        Case(arguments: ["map", "add", "http", "65536"], expected: ["'65536'", "1 to 65535"]),
        Case(arguments: ["map", "add", "http", "localhost:99999"], expected: ["'99999'", "1 to 65535"]),
        Case(arguments: ["map", "add", "http", "abc"], expected: ["'abc'", "1 to 65535"]),
        Case(arguments: ["map", "add", "http", "::1:80"], expected: ["'::1:80'", "HOST:PORT"]),
        Case(arguments: ["map", "add", "ftp", "21"], expected: ["'ftp'", "http, tcp, udp, tls"]),
        Case(arguments: ["map", "add", "http", "3000", "--name", "web"], expected: ["'web'", "already taken"]),
        Case(arguments: ["map", "add", "http", "3000", "--name", "Web_1"], expected: ["'Web_1'", "a-z, 0-9"]),
        Case(arguments: ["map", "add", "http", "3000", "--name=-web"], expected: ["'-web'", "a-z, 0-9"]),
        Case(arguments: ["map", "add", "tcp", "22", "--remote-port", "0"], expected: ["'0'", "1 to 65535"]),
        Case(arguments: ["map", "add", "tcp", "22", "--remote-port", "x"], expected: ["'x'", "1 to 65535"]),
        Case(arguments: ["map", "add", "http", "22", "--remote-port", "8080"], expected: ["8080", "tcp or udp"]),
        Case(arguments: ["map", "add", "tcp", "22", "--profile", "nowhere"], expected: ["'nowhere'", "known: home"]),
        Case(arguments: ["map", "rm", "nope"], expected: ["'nope'", "known: web"]),
        Case(arguments: ["map", "enable", "nope"], expected: ["'nope'", "known: web"]),
        Case(arguments: ["map", "disable", "nope"], expected: ["'nope'", "known: web"]),
        Case(arguments: ["profile", "add", "home", "other.example"], expected: ["'home'", "already taken"]),
        Case(arguments: ["profile", "add", "Home", "other.example"], expected: ["'Home'", "a-z, 0-9"]),
        Case(arguments: ["profile", "add", "two", "relay.example:0"], expected: ["'0'", "1 to 65535"]),
        Case(arguments: ["profile", "add", "two", "relay.example:ssh"], expected: ["'ssh'", "1 to 65535"]),
        Case(arguments: ["profile", "add", "two", "relay.example:"], expected: ["'relay.example:'", "HOST:SSH_PORT"]),
        Case(arguments: ["profile", "add", "two", "a/b"], expected: ["'a/b'", "HOST:SSH_PORT"]),
        Case(arguments: ["profile", "add", "two", "relay.example", "--user", "a b"], expected: ["'a b'", "without spaces"]),
        Case(arguments: ["profile", "add", "two", "relay.example", "--identity", "/nonexistent/id"], expected: ["/nonexistent/id", "does not exist"]),
        Case(arguments: ["profile", "use", "nope"], expected: ["'nope'", "known: home"]),
        Case(arguments: ["profile", "rm", "nope"], expected: ["'nope'", "known: home"]),
    ]

    @Test(arguments: cases)
    func rejected(_ item: Case) throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        #expect(try cli.run("profile", "add", "home", "relay.example.com").status == 0)
        #expect(try cli.run("map", "add", "http", "3000", "--name", "web").status == 0)
        let mappings = cli.bytes("mappings.json")
        let config = cli.bytes("config.json")
        let result = try cli.runRaw(["--config-dir", cli.configDir] + item.arguments)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        for word in item.expected {
            #expect(result.stderr.contains(word), "'\(word)' missing in: \(result.stderr)")
        }
        #expect(!result.stderr.contains("Usage:"))
        #expect(cli.bytes("mappings.json") == mappings)
        #expect(cli.bytes("config.json") == config)
    }

    @Test func encryptedIdentityRefused() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let key = cli.root + "/locked"
        #expect(try CLIRunner.exec("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret-pass", "-f", key]).status == 0)
        let result = try cli.run("profile", "add", "home", "relay.example", "--identity", key)
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("encrypted keys are not supported yet"))
        #expect(cli.bytes("config.json") == nil)
    }

    @Test func corruptFileIsLeftByteForByte() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let corrupt = "{\n  \"version\": 1,\n  \"mappings\": [\n    {\"name\": \"web\", \"protocol\": \"http\" \"local\": \"3000\"}\n  ]\n}\n"
        try cli.write("mappings.json", corrupt)
        for arguments in [["map", "add", "http", "3001"], ["map", "rm", "web"], ["map", "enable", "web"], ["map", "disable", "web"], ["map", "ls"], ["map", "ls", "--json"]] {
            let result = try cli.runRaw(["--config-dir", cli.configDir] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.contains(cli.file("mappings.json") + ":4:"), "\(result.stderr)")
            #expect(result.stderr.contains("was not changed"))
        }
        #expect(cli.bytes("mappings.json") == Data(corrupt.utf8))

        let badConfig = "{\"version\": 1, \"profiles\": [{\"name\": \"home\", \"host\": \"h\", \"colour\": \"red\"}]}"
        try cli.write("config.json", badConfig)
        for arguments in [["profile", "add", "work", "w.example"], ["profile", "use", "home"], ["profile", "ls"], ["map", "add", "http", "1", "--profile", "home"]] {
            let result = try cli.runRaw(["--config-dir", cli.configDir] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains("unknown field 'profiles[0].colour'") || result.stderr.contains("mappings.json:4:"), "\(result.stderr)")
        }
        #expect(cli.bytes("config.json") == Data(badConfig.utf8))
        #expect(cli.bytes("mappings.json") == Data(corrupt.utf8))
    }

    @Test func missingArgumentsShowUsage() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let result = try cli.run("map", "add", "http")
        #expect(result.status != 0)
        #expect(result.stderr.contains("Missing expected argument"))
    }
}
