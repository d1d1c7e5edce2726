import ArgumentParser

extension Burrow {
    struct MapEnable: MappingSwitch {
        static let configuration = CommandConfiguration(
            commandName: "enable",
            abstract: "Switch a mapping on.",
            discussion: """
                Example:
                  burrow map enable ssh
                """
        )

        static let switchesOn = true

        @OptionGroup var target: MappingTarget
    }
}
