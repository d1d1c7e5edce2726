import ArgumentParser

extension Burrow {
    struct MapDisable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable",
            abstract: "Switch a mapping off, keeping it for later.",
            discussion: """
                A running burrow closes its public URL within a second; \
                `burrow map enable NAME` brings it back with the same name.

                Example:
                  burrow map disable ssh
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The mapping to switch off (see `burrow map ls`).", valueName: "NAME"))
        var name: String

        func run() async throws {
            let result = try global.store().setMapping(named: name, enabled: false)
            CLIOutput.line(result.changed ? "disabled mapping '\(name)'" : "mapping '\(name)' is already disabled")
        }
    }
}
