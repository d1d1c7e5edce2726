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

        @OptionGroup var target: MappingTarget

        func run() async throws {
            let result = try target.global.store().setMapping(named: target.name, enabled: false)
            CLIOutput.line(result.changed ? "disabled mapping '\(target.name)'" : "mapping '\(target.name)' is already disabled")
        }
    }
}
