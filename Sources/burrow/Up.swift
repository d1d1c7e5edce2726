import ArgumentParser
import BurrowAPI
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation

extension Burrow {
    /// `burrow up`: the tunnels, headless.
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "up",
            abstract: "Run the tunnels headless: register every enabled mapping and print its public URL.",
            discussion: """
                Opens one tunnel per profile that has enabled mappings and prints one line \
                per mapping when it is online: NAME  PUBLIC_URL -> LOCAL. Progress and errors \
                go to stderr. With no profile configured, it starts an embedded relay on \
                127.0.0.1 (HTTP port 8080 or the next free one), so http://NAME.localhost:8080 \
                works on this machine. Changes to mappings.json (burrow map add/rm, the TUI) \
                are applied while it runs. Ctrl-C, SIGTERM or `burrow down` stops it \
                (visitors already connected may finish first).

                One engine runs per config directory (CONFIG_DIR/engine.lock names its pid); \
                it answers `burrow status`, `burrow down` and the local API on \
                CONFIG_DIR/engine.sock. --detach starts it in the background (output to \
                CONFIG_DIR/engine.log), prints the URLs once the mappings are online, and returns.

                Examples:
                  burrow map add http 3000 --name web && burrow up
                  burrow up --profile home --json
                  burrow up --detach && burrow status && burrow down
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON lines ({\"event\":\"online\",\"name\":…,\"url\":…,\"local\":…}, connecting, reconnecting, offline, error) on stdout.")
        var json = false

        @Option(help: ArgumentHelp("Run only this profile's tunnel.", valueName: "NAME"))
        var profile: String?

        @Option(help: ArgumentHelp("info: tunnel and mapping events; debug: also the embedded relay's own log.", valueName: "LEVEL"))
        var logLevel: UpLogLevel = .info

        @Flag(help: "Keep no copy of HTTP requests and responses (the request inspector, `burrow requests`, replay).")
        var noInspect = false

        @OptionGroup var connections: ConnectionsOption

        @Flag(help: "Run in the background: print the URLs once every enabled mapping is online or refused, then return (stop it with `burrow down`).")
        var detach = false

        /// The TUI's own engine: stop when this process exits, unless `POST /api/v1/engine/keep`.
        @Option(help: .hidden)
        var ownerPid: Int32?

        /// Fail when the local API cannot start (a background engine would be out of reach).
        @Flag(help: .hidden)
        var requireApi = false

        /// Start the embedded relay even while a profile is selected (the TUI's profile switcher offers it).
        @Flag(help: .hidden)
        var alwaysEmbedded = false

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let (store, config) = try global.checkedStore(command: "burrow up")
            if let profile, config.profile(named: profile) == nil, profile != EngineSnapshot.embeddedTunnel {
                let known = config.profiles.map(\.name)
                throw ValidationError("no profile named '\(profile)'" + (known.isEmpty
                    ? ": none is configured; add one with `burrow profile add NAME HOST`, or run `burrow up` without --profile to use the embedded relay"
                    : " (known: \(known.joined(separator: ", ")))"))
            }
            // Checked before a detached start too: the background engine would only say so in engine.log.
            let connections = try self.connections.value(environment: environment)

            if detach {
                try await runDetached(store: store)
                return
            }

            // Installed first, so an early Ctrl-C is not lost.
            let signals = SignalWatcher(signals: [SIGTERM, SIGINT])
            // The embedded relay's own log (each login, forward…) only when asked for.
            var relayLog: (@Sendable (String) -> Void)?
            if logLevel == .debug {
                relayLog = { line in StandardError.write("embedded relay: \(line)\n") }
            }
            var options = EngineOptions(profileFilter: profile)
            options.inspect = !noInspect
            options.connections = connections
            let host = EngineHost(
                store: store, options: options, relayLog: relayLog,
                alwaysEmbedded: alwaysEmbedded, ownerPID: ownerPid, requireAPI: requireApi)
            let running: EngineHost.Running
            do {
                running = try await host.start(signals: signals)
            } catch let error as EngineAPIError {
                StandardError.write("burrow up: \(error)\n")
                throw ExitCode.failure
            } catch {
                StandardError.write("burrow up: cannot start: \(error)\n")
                throw ExitCode.failure
            }
            let launched = running.launched
            if let embedded = launched.embeddedRelay {
                let suffix = embedded.httpPort == 80 ? "" : ":\(embedded.httpPort)"
                if json {
                    Self.emit("{\"event\":\"embedded-relay\",\"host\":\"\(embedded.host)\",\"httpPort\":\(embedded.httpPort),\"sshPort\":\(embedded.sshPort)}")
                } else {
                    StandardError.write("started the embedded relay on \(embedded.host) (no profile configured): HTTP mappings are http://NAME.localhost\(suffix)\n")
                }
            }
            if try store.loadMappings().mappings.filter(\.enabled).isEmpty {
                StandardError.write("no enabled mappings yet: add one with `burrow map add http 3000` (applied while this runs)\n")
            }

            let json = self.json
            let printer = Task {
                for await event in launched.events {
                    if json {
                        Self.emit(event.jsonLine)
                    } else if case .online = event {
                        Self.emit(event.humanLine)
                    } else {
                        StandardError.write(event.humanLine + "\n")
                    }
                }
            }
            var reasons = running.reasons.makeAsyncIterator()
            let reason = await reasons.next() ?? .requested
            if !json { StandardError.write(reason.line + "\n") }
            await running.stop()
            await printer.value
        }

        /// One line on stdout, flushed at once (stdout is often a pipe).
        static func emit(_ line: String) {
            print(line)
            fflush(nil)  // all streams: `stdout` itself is not concurrency-safe to name
        }
    }
}
