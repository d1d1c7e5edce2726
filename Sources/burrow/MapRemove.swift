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

        @OptionGroup var target: MappingTarget

        func run() async throws {
            let removed = try target.global.store().removeMapping(named: target.name)
            CLIOutput.line("removed mapping '\(removed.name)' (\(removed.protocol) \(removed.local))")
        }
    }
}
