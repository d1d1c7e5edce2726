import ArgumentParser

extension Burrow {
    /// `burrow profile …`: the relays (tunnels) in `config.json`.
    struct Profile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "profile",
            abstract: "Add, select, remove and list profiles (the relays your mappings go through).",
            discussion: """
                A profile says how to reach one relay: host, SSH port, user and \
                key. The first profile added becomes the selected one; mappings \
                added without --profile follow the selected profile. With no \
                profile at all, burrow runs an embedded relay on 127.0.0.1.

                Examples:
                  burrow profile add home relay.example.com
                  burrow profile add work 203.0.113.7:2022 --identity ~/.ssh/id_ed25519
                  burrow profile use work
                  burrow profile ls
                """,
            subcommands: [ProfileAdd.self, ProfileUse.self, ProfileRemove.self, ProfileList.self]
        )
    }
}
