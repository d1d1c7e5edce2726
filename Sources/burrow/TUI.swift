import ArgumentParser
import BurrowAPI
import BurrowConfig
import BurrowCore
import BurrowTUI
import Foundation
import TerminalUI

extension Burrow {
    /// `burrow` and `burrow tui`: the full-screen terminal UI over the engine
    /// of the config directory, attached to it through its local API.
    struct TUI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tui",
            abstract: "Open the terminal UI (the default command): tunnels, mappings, live traffic.",
            discussion: """
                Attaches to the engine running for the config directory (`burrow up`, \
                `burrow up --detach`, or another TUI's) and shows it; quitting leaves it \
                running. With none running it starts one in the background for itself \
                (with an embedded relay on 127.0.0.1 while no profile is configured, so \
                http://NAME.localhost:8080 works on this machine) and, when you quit, asks \
                whether to keep the tunnels running. Press ? inside for the keys. Themes: \
                default, light, high-contrast, monochrome, or your own JSON in \
                CONFIG_DIR/themes/. NO_COLOR disables colours.

                Examples:
                  burrow
                  burrow tui --theme light
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Colour theme: default, light, high-contrast, monochrome or a file name in CONFIG_DIR/themes (saved).", valueName: "NAME"))
        var theme: String?

        /// For the engine this starts.
        @OptionGroup var connections: ConnectionsOption

        func run() async throws {
            let connections = try self.connections.value()
            let environment = ProcessInfo.processInfo.environment
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
                throw ValidationError("\(TerminalError.notATerminal)")
            }
            let store = try global.checkedStore(command: "burrow").store
            let engine: TUIEngine
            do {
                engine = try await TUIEngine.attachOrStart(store: store, connections: connections)
            } catch {
                StandardError.write("burrow: cannot start the tunnels: \(error)\n")
                throw ExitCode.failure
            }
            let info = engine.client.engine
            // The four shipped themes are compiled in; only the person's own are files.
            let directories = [store.directory + "/themes"]
            // The TUI's own engine always runs the embedded relay (for the switcher); say so only when it is in use.
            let usesEmbedded = (try? EngineLauncher.needsEmbeddedRelay(store: store, profileFilter: nil)) ?? false
            let label = info.embeddedRelay.flatMap { usesEmbedded ? "embedded relay on \($0.host):\($0.httpPort)" : nil } ?? "connecting…"
            let options = TUIOptions(
                theme: theme, noColor: environment["NO_COLOR"].map { !$0.isEmpty } ?? false,
                relayLabel: label, themeDirectories: directories,
                engineLabel: engine.attached ? TUIOptions.attachedLabel(pid: info.pid) : nil,
                attached: engine.attached, askBeforeQuit: !engine.attached)
            let watcher = ConfigWatcher(store: store)
            watcher.start()
            let exit: TUIExit
            do {
                exit = try await TUIRunner.run(engine: engine.client, events: engine.client.events(), watcher: watcher, options: options)
            } catch {
                watcher.stop()
                await engine.finish(.stopEngine)
                StandardError.write("burrow: \(error)\n")
                throw ExitCode.failure
            }
            watcher.stop()
            await engine.finish(exit)
        }
    }
}
