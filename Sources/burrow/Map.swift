import ArgumentParser

extension Burrow {
    /// `burrow map …`: the mapping rules in `mappings.json`.
    struct Map: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "map",
            abstract: "Add, remove, enable, disable and list mappings (local port → public URL).",
            discussion: """
                A mapping shares one local service through a relay. Mappings \
                live in CONFIG_DIR/mappings.json; a running `burrow up` or TUI \
                picks up changes within a second.

                Examples:
                  burrow map add http 3000                  # http://http-3000.<relay domain>
                  burrow map add tcp 22 --name ssh --remote-port 20022
                  burrow map disable ssh
                  burrow map ls --json
                """,
            subcommands: [MapAdd.self, MapRemove.self, MapEnable.self, MapDisable.self, MapList.self]
        )
    }
}
