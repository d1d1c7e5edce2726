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

        @OptionGroup var target: ProfileTarget

        func run() async throws {
            let result = try target.global.store().removeProfile(named: target.name)
            let note = result.wasSelected
                ? "; no profile is selected now, so mappings use the embedded local relay (select one with: burrow profile use NAME)"
                : ""
            CLIOutput.line("removed profile '\(result.profile.name)'\(note)")
        }
    }
}
