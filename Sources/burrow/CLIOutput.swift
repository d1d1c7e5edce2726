import BurrowConfig
import Foundation

/// Where commands write: results to stdout, nothing else. Errors are thrown
/// (ConfigError / CoreError) and ArgumentParser prints them as one
/// `Error: …` line on stderr with exit code 1, without a usage dump.
enum CLIOutput {
    static func line(_ text: String) {
        print(text)
    }

    /// JSON for `--json`: pretty-printed, sorted keys, like the config files.
    static func json<T: Encodable>(_ value: T) {
        print(JSONOutput.string(value), terminator: "")
    }
}
