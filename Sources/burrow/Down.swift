import ArgumentParser
import BurrowAPI
import Foundation

extension Burrow {
    /// `burrow down`: stop the running engine gracefully.
    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "down",
            abstract: "Stop the running engine (burrow up, --detach or the TUI's) gracefully.",
            discussion: """
                Asks the engine of the config directory to stop as on SIGTERM: every \
                forward is withdrawn and visitors already connected may finish. Waits \
                until the engine's process has exited and prints `stopped burrow up (pid N)`. \
                With no engine running it says so and exits 0.

                Examples:
                  burrow down
                  burrow down --timeout 60
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("How long to wait for the engine to exit.", valueName: "SECONDS"))
        var timeout: Double = 30

        func validate() throws {
            guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be a number of seconds from 1 to 86400") }
        }

        func run() async throws {
            let store = global.store()
            guard let client = try await RunningEngine.find(store, command: "down", anyVersion: true) else {
                CLIOutput.line("no engine is running for \(store.directory)")
                return
            }
            let pid = client.engine.pid
            try await RunningEngine.call("down") { try await client.stop() }
            // The lock goes with the process (a zombie holds none), so this also
            // works for an engine that is some other program's child.
            let deadline = ContinuousClock.now + .seconds(timeout)
            while EngineLock.holder(configDirectory: store.directory) != nil {
                guard ContinuousClock.now < deadline else {
                    StandardError.write("burrow down: the engine (pid \(pid)) is still running after \(Int(timeout)) s (visitors still draining?); wait longer with --timeout, or end it with `kill \(pid)`\n")
                    throw ExitCode.failure
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            CLIOutput.line("stopped burrow up (pid \(pid))")
        }
    }
}
