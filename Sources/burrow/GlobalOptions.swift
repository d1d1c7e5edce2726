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

    /// The store, its config and mappings files read once before a long run
    /// (`burrow`, `burrow up`), so a bad file stops it with the file's own
    /// message on stderr after `command:` (exit 1) instead of later in the engine.
    func checkedStore(command: String) throws -> (store: ConfigStore, config: ConfigFile) {
        let store = store()
        do {
            let config = try store.loadConfig()
            _ = try store.loadMappings()
            return (store, config)
        } catch {
            StandardError.write("\(command): \(error)\n")
            throw ExitCode.failure
        }
    }
}
