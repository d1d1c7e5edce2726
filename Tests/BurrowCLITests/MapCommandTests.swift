import BurrowTestSupport
import Foundation
import Testing

@Suite(.spawnsProcesses) struct MapCommandTests {
    @Test func addListEnableDisableRemove() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let first = try cli.run("map", "add", "http", "3000")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("added mapping 'http-3000' (http 127.0.0.1:3000"))
        #expect(try cli.run("map", "add", "tcp", "[::1]:22", "--name", "ssh", "--remote-port", "20022", "--disabled").status == 0)
        #expect(try cli.run("map", "add", "udp", "192.168.1.5:27015").status == 0)
        #expect(try cli.run("map", "add", "tls", "8443", "--name", "shop").status == 0)

        let listed = try cli.json("map", "ls", "--json")
        #expect(listed.map { $0["name"] as? String } == ["http-3000", "ssh", "udp-27015", "shop"])
        #expect(listed[0]["protocol"] as? String == "http")
        #expect(listed[0]["local"] as? String == "127.0.0.1:3000")
        #expect(listed[0]["enabled"] as? Bool == true)
        #expect(listed[0]["profile"] == nil && listed[0]["remotePort"] == nil)
        #expect(Set(listed[1].keys) == ["name", "protocol", "local", "enabled", "remotePort"])
        #expect(listed[1]["local"] as? String == "[::1]:22")
        #expect(listed[1]["remotePort"] as? Int == 20022)
        #expect(listed[1]["enabled"] as? Bool == false)

        #expect(try cli.run("map", "enable", "ssh").stdout == "enabled mapping 'ssh'\n")
        #expect(try cli.run("map", "enable", "ssh").stdout == "mapping 'ssh' is already enabled\n")
        #expect(try cli.run("map", "disable", "shop").stdout == "disabled mapping 'shop'\n")
        #expect(try cli.run("map", "rm", "udp-27015").status == 0)

        let table = try cli.run("map", "ls")
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "PROTOCOL", "LOCAL", "PROFILE", "STATE"])
        // Aligned: every column starts at the same offset on every line.
        for header in ["PROTOCOL", "LOCAL", "PROFILE", "STATE"] {
            let column = lines[0].range(of: header)!.lowerBound.utf16Offset(in: lines[0])
            for line in lines.dropFirst() {
                let index = line.index(line.startIndex, offsetBy: column)
                #expect(line[line.index(before: index)] == " " && line[index] != " ", "column \(header) in '\(line)'")
            }
        }
        #expect(lines[1].hasPrefix("http-3000") && lines[1].contains("127.0.0.1:3000") && lines[1].contains("(local relay)") && lines[1].hasSuffix("enabled"))
        #expect(lines[3].hasPrefix("shop") && lines[3].hasSuffix("disabled"))
        #expect(!table.stdout.split(separator: "\n").contains { $0.hasSuffix(" ") })
    }

    @Test func emptyListAndNoDirectoryCreated() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        #expect(try cli.run("map", "ls", "--json").stdout == "[]\n")
        #expect(try cli.run("map", "ls").stdout.contains("burrow map add http 3000"))
        #expect(!FileManager.default.fileExists(atPath: cli.configDir), "reading must not create the config dir")
    }

    @Test func generatedNamesAndProfileFollowing() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        #expect(try cli.run("map", "add", "http", "3000").status == 0)
        #expect(try cli.run("map", "add", "http", "localhost:3000").stdout.hasPrefix("added mapping 'http-3000-2'"))
        #expect(try cli.run("profile", "add", "home", "relay.example.com").status == 0)
        #expect(try cli.run("profile", "add", "work", "10.1.2.3:22").status == 0)
        let pinned = try cli.run("map", "add", "tcp", "5432", "--profile", "work")
        #expect(pinned.stdout.contains("profile 'work'"), "\(pinned.stdout)")
        let following = try cli.run("map", "add", "tcp", "6379")
        #expect(following.stdout.contains("follows the selected profile, now 'home'"))
        let listed = try cli.json("map", "ls", "--json")
        #expect(listed.map { $0["profile"] as? String } == [nil, nil, "work", nil])
        #expect(try cli.run("map", "ls").stdout.contains("(selected: home)"))
    }

    @Test func configDirFromFlagBeforeOrAfterOrEnvironment() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        #expect(try cli.runRaw(["--config-dir", cli.configDir, "map", "add", "http", "1"]).status == 0)
        #expect(try cli.runRaw(["map", "add", "http", "2", "--config-dir", cli.configDir]).status == 0)
        #expect(try cli.runRaw(["map", "--config-dir", cli.configDir, "add", "http", "3"]).status == 0)
        var env = cli.environment
        env["BURROW_CONFIG_DIR"] = cli.configDir
        #expect(try cli.runRaw(["map", "add", "http", "4"], environment: env).status == 0)
        env["BURROW_CONFIG_DIR"] = nil
        env["XDG_CONFIG_HOME"] = cli.root + "/xdg"
        #expect(try cli.runRaw(["map", "add", "http", "5"], environment: env).status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.root + "/xdg/burrow/mappings.json"))
        env["XDG_CONFIG_HOME"] = nil
        #expect(try cli.runRaw(["map", "add", "http", "6"], environment: env).status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.root + "/.config/burrow/mappings.json"))
        let listed = try cli.runRaw(["map", "ls", "--json", "--config-dir", cli.configDir])
        #expect(listed.stdout.components(separatedBy: "\"name\"").count - 1 == 4)
    }

    /// Two processes adding 25 mappings each, at the same time, end with 50.
    @Test func parallelAddsAllLand() async throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let script = """
            for i in $(seq 1 25); do "$0" --config-dir "$1" map add tcp $((2000 + i)) --name "$2-$i" >/dev/null || exit 1; done
            """
        let binary = CLIRunner.binary
        let dir = cli.configDir
        async let a = CLIRunner.execAsync("/bin/sh", ["-c", script, binary, dir, "a"])
        async let b = CLIRunner.execAsync("/bin/sh", ["-c", script, binary, dir, "b"])
        let results = try await [a, b]
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let names = try cli.json("map", "ls", "--json").compactMap { $0["name"] as? String }
        #expect(names.count == 50)
        #expect(Set(names).count == 50)
    }
}
