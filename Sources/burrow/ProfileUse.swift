import ArgumentParser

extension Burrow {
    struct ProfileUse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "use",
            abstract: "Select the profile that mappings without --profile go through.",
            discussion: """
                Example:
                  burrow profile use work
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The profile to select (see `burrow profile ls`).", valueName: "NAME"))
        var name: String

        func run() async throws {
            let profile = try global.store().selectProfile(named: name)
            CLIOutput.line("selected profile '\(profile.name)' (\(profile.user)@\(profile.endpoint)); mappings without --profile now go through it")
        }
    }
}
