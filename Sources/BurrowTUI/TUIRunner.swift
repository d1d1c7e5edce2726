import BurrowConfig
import BurrowCore
import Foundation
import TerminalUI

/// Wires the UI to the engine and the config store: background tasks feed
/// the mailbox (snapshots once a second, engine events, and the changes to
/// mappings.json and config.json that the process's one `ConfigWatcher`
/// publishes to the engine and here alike), and the UI loop runs on a thread
/// of its own, the only one that touches ncurses. Returns what the person
/// chose for the engine on the way out (attached: always `.keepEngine`).
public enum TUIRunner {
    @discardableResult
    public static func run(engine: any TunnelEngine, events: AsyncStream<EngineEvent>, watcher: ConfigWatcher,
                           options: TUIOptions) async throws -> TUIExit {
        let store = watcher.store
        let subscription = watcher.subscribe()
        let mailbox = Mailbox()
        let catalog = ThemeCatalog.load(directories: options.themeDirectories)
        var notes: [(String, LogEntry.Level)] = catalog.problems.map { ($0.description, .error) }
        let config = subscription.config
        let initialMappings = subscription.mappings
        var themeName = options.theme ?? config.ui.theme ?? "default"
        if catalog.theme(named: themeName) == nil {
            notes.append(("no usable theme named '\(themeName)' (known: \(catalog.names.joined(separator: ", "))); using the default theme", .error))
            themeName = "default"
        } else if let chosen = options.theme, chosen != config.ui.theme {
            _ = try? store.updateConfig { $0.ui.theme = chosen }
        }
        if options.noColor { notes.append(("NO_COLOR is set: drawing without colours", .info)) }

        let tasks = [
            Task {
                var last: EngineSnapshot?
                while !Task.isCancelled {
                    var snapshot: EngineSnapshot
                    do {
                        snapshot = try await engine.snapshot()
                    } catch {
                        // Attached and the engine went away: say so (once; the reducer
                        // ignores repeats) and keep trying, in case it comes back.
                        if !Task.isCancelled { mailbox.post(.engineStopped(String(describing: error))) }
                        last = nil
                        try? await Task.sleep(for: .seconds(1))
                        continue
                    }
                    let taken = snapshot.takenAt
                    snapshot.takenAt = 0
                    if snapshot != last {
                        last = snapshot
                        snapshot.takenAt = taken
                        mailbox.post(.snapshot(snapshot))
                    }
                    // Once a second: the engine's rates and sparklines are per second.
                    try? await Task.sleep(for: .seconds(1))
                }
            },
            Task {
                for await event in events { mailbox.post(.engineEvent(event, at: WallClock.now())) }
                // The stream ends when the engine does; while the UI runs that is news.
                if !Task.isCancelled { mailbox.post(.engineStopped("its event stream ended")) }
            },
            Task {
                // Edits by anyone: this UI, the CLI in another shell, an editor.
                for await change in subscription.changes {
                    switch change {
                    case .mappings(_, let now):
                        mailbox.post(.mappingsChanged(now))
                    case .config(let fresh, let previous):
                        if change.changesProfiles {
                            mailbox.post(.profilesChanged(fresh.profiles, selected: fresh.selectedProfile))
                        }
                        if fresh.ui.keepTunnelsOnQuit != previous.ui.keepTunnelsOnQuit {
                            mailbox.post(.quitAnswerChanged(fresh.ui.keepTunnelsOnQuit))
                        }
                    case .mappingsInvalid:
                        // The engine hears of an invalid file too and logs it: once is enough.
                        break
                    }
                }
            },
        ]
        defer { tasks.forEach { $0.cancel() } }

        let startName = themeName
        let initialNotes = notes
        let outcome: Result<TUIExit, TerminalError> = await onDedicatedThread {
            let screen: CursesScreen
            do throws(TerminalError) {
                screen = try CursesScreen(monochrome: options.noColor)
            } catch {
                return .failure(error)
            }
            defer { screen.stop() }
            var state = AppState(size: screen.size, now: WallClock.now(), relayLabel: options.relayLabel,
                                 themeNames: catalog.names, themeName: startName)
            state.engineLabel = options.engineLabel
            state.quitPolicy = QuitPolicy(attached: options.attached, ask: options.askBeforeQuit,
                                          remembered: config.ui.keepTunnelsOnQuit)
            _ = Reducer.reduce(&state, .mappingsChanged(initialMappings))
            _ = Reducer.reduce(&state, .profilesChanged(config.profiles, selected: config.selectedProfile))
            for (text, level) in initialNotes { _ = Reducer.reduce(&state, .log(text, level)) }
            if screen.asciiOnly {
                _ = Reducer.reduce(&state, .log("the locale is not UTF-8, so lines and symbols are drawn in ASCII: "
                    + "set LANG=C.UTF-8 (or another UTF-8 locale) for the full picture", .warning))
            }
            let effects = EngineEffects(engine: engine, mailbox: mailbox, next: StoreEffects(store: store))
            let app = TUIApp(screen: screen, state: state, catalog: catalog, effects: effects, mailbox: mailbox)
            app.run()
            return .success(app.state.exit ?? (options.attached ? .keepEngine : .stopEngine))
        }
        return try outcome.get()
    }

    /// Runs `body` on a new thread and waits for it without blocking the
    /// cooperative pool (the UI waits on input, which must not stall the engine).
    static func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "burrow-ui"
            thread.start()
        }
    }
}
