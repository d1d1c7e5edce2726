import ArgumentParser

extension Burrow {
    struct MapList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List the mappings.",
            discussion: """
                --json prints an array of {name, protocol, local, enabled, \
                profile?, remotePort?}; local is "host:port", profile is \
                absent when the mapping follows the selected profile.

                Examples:
                  burrow map ls
                  burrow map ls --json
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let store = global.store()
            // Each file on its own, so a mapping naming a deleted profile can
            // still be seen (and fixed) here.
            let mappings = try store.loadMappings().mappings
            if json {
                CLIOutput.json(mappings)
                return
            }
            let config = try store.loadConfig()
            if mappings.isEmpty {
                CLIOutput.line("no mappings yet; add one with: burrow map add http 3000")
                return
            }
            var table = CLITable("NAME", "PROTOCOL", "LOCAL", "PROFILE", "STATE")
            for mapping in mappings {
                let profile: String
                if let name = mapping.profile {
                    profile = config.profile(named: name) == nil ? "\(name) (missing!)" : name
                } else {
                    profile = config.selectedProfile.map { "(selected: \($0))" } ?? "(local relay)"
                }
                table.add(mapping.name, mapping.protocol.rawValue, mapping.local.description, profile, mapping.enabled ? "enabled" : "disabled")
            }
            CLIOutput.line(table.rendered)
        }
    }
}
