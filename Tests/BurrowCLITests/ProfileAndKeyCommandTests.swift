import BurrowTestSupport
import Foundation
import Testing

@Suite(.spawnsProcesses) struct ProfileCommandTests {
    @Test func addUseRemoveList() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let first = try cli.run("profile", "add", "home", "relay.example.com")
        #expect(first.stdout == "added profile 'home' (burrow@relay.example.com:2222, burrow's own key) and selected it\n")
        let keyPath = cli.root + "/id_ed25519"
        #expect(try CLIRunner.exec("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyPath]).status == 0)
        let second = try cli.run("profile", "add", "work", "[2001:db8::1]:22", "--user", "alice", "--identity", keyPath)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("select it with: burrow profile use work"))

        var listed = try cli.json("profile", "ls", "--json")
        #expect(listed.map { $0["name"] as? String } == ["home", "work"])
        #expect(listed.map { $0["selected"] as? Bool } == [true, false])
        #expect(listed[0]["sshPort"] as? Int == 2222 && listed[0]["user"] as? String == "burrow" && listed[0]["identity"] == nil)
        #expect(listed[1]["host"] as? String == "2001:db8::1" && listed[1]["sshPort"] as? Int == 22)
        #expect(listed[1]["identity"] as? String == keyPath)

        #expect(try cli.run("profile", "use", "work").stdout.hasPrefix("selected profile 'work'"))
        listed = try cli.json("profile", "ls", "--json")
        #expect(listed.map { $0["selected"] as? Bool } == [false, true])
        let table = try cli.run("profile", "ls").stdout.split(separator: "\n")
        #expect(table.first?.split(separator: " ") == ["NAME", "HOST", "USER", "IDENTITY", "SELECTED"])
        #expect(table.count == 3 && table[2].hasSuffix("*") && table[2].contains("[2001:db8::1]:22"))

        #expect(try cli.run("map", "add", "http", "80", "--profile", "home", "--name", "site").status == 0)
        let refused = try cli.run("profile", "rm", "home")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("profile 'home' is used by mapping(s) site"))
        #expect(refused.stderr.contains("burrow map rm"))
        #expect(try cli.run("map", "rm", "site").status == 0)
        #expect(try cli.run("profile", "rm", "home").stdout == "removed profile 'home'\n")
        let removedSelected = try cli.run("profile", "rm", "work")
        #expect(removedSelected.stdout.contains("no profile is selected now"))
        #expect(try cli.json("profile", "ls", "--json").isEmpty)
    }
}

@Suite(.spawnsProcesses) struct KeyCommandTests {
    @Test func printsOneStableLineThatSshKeygenAccepts() throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let first = try cli.run("key")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("ssh-ed25519 AAAA"))
        #expect(first.stdout.split(separator: "\n").count == 1)
        #expect(try cli.run("key").stdout == first.stdout)
        let pubPath = cli.root + "/printed.pub"
        try Data(first.stdout.utf8).write(to: URL(fileURLWithPath: pubPath))
        let listed = try CLIRunner.exec("/usr/bin/ssh-keygen", ["-l", "-f", pubPath])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("(ED25519)"))
        // The private key on disk is OpenSSH's and 0600.
        let derived = try CLIRunner.exec("/usr/bin/ssh-keygen", ["-y", "-f", cli.file("identity")])
        #expect(derived.status == 0, "\(derived.stderr)")
        #expect(first.stdout.hasPrefix(derived.stdout.split(separator: " ").prefix(2).joined(separator: " ")))
        let mode = (try FileManager.default.attributesOfItem(atPath: cli.file("identity"))[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        #expect(try String(contentsOfFile: cli.file("identity.pub"), encoding: .utf8) == first.stdout)
    }
}

@Suite(.spawnsProcesses) struct HelpTests {
    @Test(arguments: [
        ["map"], ["map", "add"], ["map", "rm"], ["map", "enable"], ["map", "disable"], ["map", "ls"],
        ["profile"], ["profile", "add"], ["profile", "use"], ["profile", "rm"], ["profile", "ls"], ["key"],
    ])
    func everyCommandHasHelpWithAnExample(_ command: [String]) throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        let result = try cli.runRaw(command + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example"))
        #expect(result.stdout.contains("burrow " + command.joined(separator: " ")))
        #expect(result.stdout.contains("USAGE:"))
    }
}
