import ArgumentParser

/// The NAME argument of `map enable|disable|rm` and the config options.
struct MappingTarget: ParsableArguments {
    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The mapping's name (see `burrow map ls`).", valueName: "NAME"))
    var name: String
}

/// The NAME argument of `profile use|rm` and the config options.
struct ProfileTarget: ParsableArguments {
    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The profile's name (see `burrow profile ls`).", valueName: "NAME"))
    var name: String
}
