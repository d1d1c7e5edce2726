import ArgumentParser
import BurrowAgent
import BurrowConfig
import BurrowCore
import BurrowTUI
import Foundation
import TerminalUI

extension Burrow {
    /// `burrow` and `burrow tui`: the full-screen terminal UI over the engine.
    struct TUI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tui",
            abstract: "Open the terminal UI (the default command): tunnels, mappings, live traffic.",
            discussion: """
                Runs the tunnels like `burrow up` and shows them. With no profile configured it \
                starts an embedded relay on 127.0.0.1, so http://NAME.localhost:8080 works on this \
                machine. Press ? inside for the keys. Themes: default, light, high-contrast, \
                monochrome, or your own JSON in CONFIG_DIR/themes/. NO_COLOR disables colours.

                Examples:
                  burrow
                  burrow tui --theme light
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Colour theme: default, light, high-contrast, monochrome or a file name in CONFIG_DIR/themes (saved).", valueName: "NAME"))
        var theme: String?

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
                throw ValidationError("\(TerminalError.notATerminal)")
            }
            let store = ConfigStore(directory: ConfigStore.resolveDirectory(explicit: global.configDir, environment: environment))
            do {
                _ = try store.loadConfig()
                _ = try store.loadMappings()
            } catch {
                FileHandle.standardError.write(Data("burrow: \(error)\n".utf8))
                throw ExitCode.failure
            }
            let launched: EngineLauncher.Launched
            do {
                launched = try await EngineLauncher.launch(store: store, relayLog: nil, alwaysEmbedded: true)
            } catch {
                FileHandle.standardError.write(Data("burrow: cannot start the tunnels: \(error)\n".utf8))
                throw ExitCode.failure
            }
            // The four shipped themes are compiled in; only the person's own are files.
            let directories = [store.directory + "/themes"]
            // The embedded relay always runs here (for the switcher); say so only when it is in use.
            let usesEmbedded = (try? EngineLauncher.needsEmbeddedRelay(store: store, profileFilter: nil)) ?? false
            let label = launched.embeddedRelay.flatMap { usesEmbedded ? "embedded relay on \($0.host):\($0.httpPort)" : nil } ?? "connecting…"
            let options = TUIOptions(theme: theme, noColor: environment["NO_COLOR"].map { !$0.isEmpty } ?? false,
                                     relayLabel: label, themeDirectories: directories)
            do {
                try await TUIRunner.run(engine: launched.engine, events: launched.events, watcher: launched.watcher, options: options)
            } catch {
                await launched.stop()
                FileHandle.standardError.write(Data("burrow: \(error)\n".utf8))
                throw ExitCode.failure
            }
            await launched.stop()
        }
    }
}
