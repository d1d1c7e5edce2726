import ArgumentParser
import Foundation

/// `--state-dir`, shared by `burrow serve` and `burrow serve reservations …`
/// (one declaration, so the flag reaches the subcommand too).
struct ServeStateDirectory: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where the host key, authorized_keys and reservations.json live (default: $XDG_STATE_HOME/burrow-relay or ~/.local/state/burrow-relay).", valueName: "DIR"))
    var path: String?

    /// The directory to use: the flag, else the default for this environment.
    var resolved: String {
        path ?? Burrow.Serve.defaultStateDirectory(ProcessInfo.processInfo.environment)
    }
}
