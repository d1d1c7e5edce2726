import ArgumentParser

extension Burrow {
    // Placeholder until its issue lands; replaced by the real command.
    struct Profile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "profile", abstract: "(not built yet)")
        @OptionGroup var global: GlobalOptions
        func run() async throws { throw ValidationError("not built yet") }
    }
}
