import BurrowTestSupport
import Foundation
import Testing

/// `burrow map add` with access and address rules, through the built binary.
@Suite(.spawnsProcesses) struct MapRulesCommandTests {
    @Test func rulesAreStoredHashedAndListedWithoutThePassword() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let added = try cli.run(
            "map", "add", "http", "3000", "--name", "admin", "--allow", "203.0.113.0/24", "--allow", "2001:DB8::/32",
            "--deny", "203.0.113.9", "--basic-auth", "alice:s3:cret")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("rules: allow 203.0.113.0/24,2001:db8::/32; deny 203.0.113.9; basic auth alice"))
        #expect(try cli.run("map", "add", "tls", "8443", "--name", "shop", "--proxy-protocol", "v2").status == 0)
        #expect(try cli.run("map", "add", "udp", "27015", "--name", "game", "--deny", "::1").status == 0)

        // mappings.json has the salted hash, never the password.
        let file = try #require(cli.bytes("mappings.json"))
        let text = String(decoding: file, as: UTF8.self)
        #expect(!text.contains("s3:cret"))
        let root = try #require(try JSONSerialization.jsonObject(with: file) as? [String: Any])
        let mappings = try #require(root["mappings"] as? [[String: Any]])
        let auth = try #require(mappings[0]["basicAuth"] as? [String: String])
        #expect(auth["user"] == "alice")
        #expect(auth["salt"]?.count == 32)
        #expect(auth["sha256"]?.count == 64)
        #expect(mappings[0]["allow"] as? [String] == ["203.0.113.0/24", "2001:db8::/32"])
        #expect(mappings[1]["proxyProtocol"] as? String == "v2")

        // map ls shows the rules, and the user only.
        let table = try cli.run("map", "ls")
        #expect(table.stdout.split(separator: "\n")[0].hasSuffix("RULES"))
        #expect(table.stdout.contains("basic auth alice"))
        #expect(table.stdout.contains("proxy v2"))
        #expect(table.stdout.contains("deny ::1"))
        #expect(!table.stdout.contains(auth["sha256"]!))
        let listed = try cli.json("map", "ls", "--json")
        #expect(listed[0]["basicAuth"] as? [String: String] == ["user": "alice"])
        #expect(listed[2]["deny"] as? [String] == ["::1"])
    }

    @Test func badRulesGetOneLineErrorsNamingTheValue() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let cases: [([String], String)] = [
            (["--allow", "10.0.0.300"], "'10.0.0.300'"),
            (["--deny", "::1/200"], "'::1/200'"),
            (["--basic-auth", "nopassword"], "USER:PASSWORD"),
            (["--proxy-protocol", "v3"], "'v3'"),
        ]
        for (extra, needle) in cases {
            let result = try cli.runRaw(["map", "add", "http", "3000"] + extra)
            #expect(result.status != 0)
            #expect(result.stderr.contains(needle), "\(extra): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        let tcpAuth = try cli.run("map", "add", "tcp", "22", "--basic-auth", "a:b")
        #expect(tcpAuth.status != 0)
        #expect(tcpAuth.stderr.contains("http mappings"))
        let httpProxy = try cli.run("map", "add", "http", "22", "--proxy-protocol", "v1")
        #expect(httpProxy.stderr.contains("tcp or tls"))
        #expect(cli.bytes("mappings.json") == nil)

        // A hand-edited file with a bad rule names the field.
        try cli.write("mappings.json", """
            {"version": 1, "mappings": [{"name": "a", "protocol": "http", "local": "127.0.0.1:80", "allow": ["nope"]}]}
            """)
        let listed = try cli.run("map", "ls")
        #expect(listed.status != 0)
        #expect(listed.stderr.contains("mappings[0].allow[0]"), "\(listed.stderr)")
    }
}

/// `--https-redirect` is stored, listed, and refused where it cannot apply.
@Suite(.spawnsProcesses) struct HTTPSRedirectOptionTests {
    @Test func storedListedAndRefusedOnTCP() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let added = try cli.run("map", "add", "http", "3000", "--name", "web", "--https-redirect")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try String(contentsOfFile: cli.file("mappings.json"), encoding: .utf8).contains("\"httpsRedirect\": true"))
        let listed = try cli.run("map", "ls", "--json")
        #expect(listed.stdout.contains("\"httpsRedirect\": true"), "\(listed.stdout)")
        let before = try String(contentsOfFile: cli.file("mappings.json"), encoding: .utf8)
        let tcp = try cli.run("map", "add", "tcp", "5432", "--name", "db", "--https-redirect")
        #expect(tcp.status != 0)
        #expect(tcp.stderr.contains("--https-redirect does not apply to tcp mappings"), "\(tcp.stderr)")
        #expect(try String(contentsOfFile: cli.file("mappings.json"), encoding: .utf8) == before)
    }
}
