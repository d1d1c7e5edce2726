import ArgumentParser

extension Burrow {
    struct MapList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List the mappings.",
            discussion: """
                --json prints an array of {name, protocol, local, enabled, \
                profile?, remotePort?, allow?, deny?, basicAuth?, proxyProtocol?, httpsRedirect?, pool?}; \
                local is "host:port", profile is absent when the mapping follows \
                the selected profile, basicAuth shows only the user (never the \
                password or its hash).

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
                // The hash stays in mappings.json: listings show only the user.
                CLIOutput.json(mappings.map(MappingListEntry.init))
                return
            }
            let config = try store.loadConfig()
            if mappings.isEmpty {
                CLIOutput.line("no mappings yet; add one with: burrow map add http 3000")
                return
            }
            // The RULES column appears once any mapping has access or address rules.
            let showRules = mappings.contains { MapRuleOptions.summary($0) != "-" }
            var table = showRules
                ? CLITable("NAME", "PROTOCOL", "LOCAL", "PROFILE", "STATE", "RULES")
                : CLITable("NAME", "PROTOCOL", "LOCAL", "PROFILE", "STATE")
            for mapping in mappings {
                let profile: String
                if let name = mapping.profile {
                    profile = config.profile(named: name) == nil ? "\(name) (missing!)" : name
                } else {
                    profile = config.selectedProfile.map { "(selected: \($0))" } ?? "(local relay)"
                }
                let cells = [mapping.name, mapping.protocol.rawValue, mapping.local.description, profile,
                             mapping.enabled ? "enabled" : "disabled"]
                table.rows.append(showRules ? cells + [MapRuleOptions.summary(mapping)] : cells)
            }
            CLIOutput.line(table.rendered)
        }
    }
}
