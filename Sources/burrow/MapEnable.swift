import ArgumentParser

extension Burrow {
    struct MapEnable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable",
            abstract: "Switch a mapping on.",
            discussion: """
                Example:
                  burrow map enable ssh
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The mapping to switch on (see `burrow map ls`).", valueName: "NAME"))
        var name: String

        func run() async throws {
            let result = try global.store().setMapping(named: name, enabled: true)
            CLIOutput.line(result.changed ? "enabled mapping '\(name)'" : "mapping '\(name)' is already enabled")
        }
    }
}
