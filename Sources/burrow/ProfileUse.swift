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

        @OptionGroup var target: ProfileTarget

        func run() async throws {
            let profile = try target.global.store().selectProfile(named: target.name)
            CLIOutput.line("selected profile '\(profile.name)' (\(profile.user)@\(profile.endpoint)); mappings without --profile now go through it")
        }
    }
}
