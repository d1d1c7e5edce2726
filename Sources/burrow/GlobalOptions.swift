import ArgumentParser
import BurrowConfig
import Foundation

/// Flags every command takes, before or after the command name.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Config directory (default: $BURROW_CONFIG_DIR, $XDG_CONFIG_HOME/burrow or ~/.config/burrow).", valueName: "DIR"))
    var configDir: String?

    /// The config store at `--config-dir`, or the default directory.
    func store() -> ConfigStore {
        ConfigStore(directory: ConfigStore.resolveDirectory(explicit: configDir, environment: ProcessInfo.processInfo.environment))
    }
}
