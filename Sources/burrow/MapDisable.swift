import ArgumentParser

extension Burrow {
    struct MapDisable: MappingSwitch {
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

        static let switchesOn = false

        @OptionGroup var target: MappingTarget
    }
}
