import ArgumentParser

extension Burrow {
    struct MapRemove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a mapping.",
            discussion: """
                A running burrow closes the mapping's public URL within a second.

                Example:
                  burrow map rm http-3000
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The mapping to remove (see `burrow map ls`).", valueName: "NAME"))
        var name: String

        func run() async throws {
            let removed = try global.store().removeMapping(named: name)
            CLIOutput.line("removed mapping '\(removed.name)' (\(removed.protocol) \(removed.local))")
        }
    }
}
