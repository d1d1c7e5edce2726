import ArgumentParser

extension Burrow {
    struct ProfileRemove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a profile no mapping names.",
            discussion: """
                Mappings added with --profile NAME keep the profile in use: \
                remove them first. Removing the selected profile leaves none \
                selected (mappings then use the embedded local relay).

                Example:
                  burrow profile rm work
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The profile to remove (see `burrow profile ls`).", valueName: "NAME"))
        var name: String

        func run() async throws {
            let result = try global.store().removeProfile(named: name)
            let note = result.wasSelected
                ? "; no profile is selected now, so mappings use the embedded local relay (select one with: burrow profile use NAME)"
                : ""
            CLIOutput.line("removed profile '\(result.profile.name)'\(note)")
        }
    }
}
