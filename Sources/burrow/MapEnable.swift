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

        @OptionGroup var target: MappingTarget

        func run() async throws {
            let result = try target.global.store().setMapping(named: target.name, enabled: true)
            CLIOutput.line(result.changed ? "enabled mapping '\(target.name)'" : "mapping '\(target.name)' is already enabled")
        }
    }
}
