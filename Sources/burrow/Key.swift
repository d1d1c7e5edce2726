import ArgumentParser

extension Burrow {
    /// `burrow key`: the agent's public key, for the relay's allowed keys.
    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "key",
            abstract: "Print this agent's public key as one OpenSSH line.",
            discussion: """
                Creates CONFIG_DIR/identity (ed25519, OpenSSH format, mode 0600) \
                and identity.pub on first use. Give the printed line to the \
                relay's operator (or add it to the relay's authorized keys) so \
                the relay lets this agent in.

                Examples:
                  burrow key
                  burrow key >> authorized_keys
                """
        )

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            CLIOutput.line(try global.store().identity(for: nil).publicKeyLine)
        }
    }
}
