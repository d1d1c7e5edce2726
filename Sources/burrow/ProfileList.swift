import ArgumentParser
import BurrowCore

extension Burrow {
    struct ProfileList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List the profiles.",
            discussion: """
                --json prints an array of {name, host, sshPort, user, \
                identity?, fleet?, connections?, selected}; fleet lists \
                the profile's other relays (`profile add --fleet`).

                Examples:
                  burrow profile ls
                  burrow profile ls --json
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let config = try global.store().loadConfig()
            if json {
                CLIOutput.json(config.profiles.map { ProfileListEntry($0, selected: $0.name == config.selectedProfile) })
                return
            }
            if config.profiles.isEmpty {
                CLIOutput.line("no profiles yet (burrow uses an embedded local relay); add one with: burrow profile add NAME HOST[:SSH_PORT]")
                return
            }
            let fleets = config.profiles.contains { !$0.fleet.isEmpty }
            var table = fleets
                ? CLITable("NAME", "HOST", "USER", "IDENTITY", "FLEET", "SELECTED")
                : CLITable("NAME", "HOST", "USER", "IDENTITY", "SELECTED")
            for profile in config.profiles {
                let selected = profile.name == config.selectedProfile ? "*" : ""
                if fleets {
                    table.add(profile.name, profile.endpoint, profile.user, profile.identity ?? "(burrow key)",
                              profile.fleet.isEmpty ? "-" : profile.fleet.joined(separator: ","), selected)
                } else {
                    table.add(profile.name, profile.endpoint, profile.user, profile.identity ?? "(burrow key)", selected)
                }
            }
            CLIOutput.line(table.rendered)
        }
    }
}
