import BurrowAPI
import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation
import Synchronization

/// What `burrow up` runs in the foreground: the engine under the config
/// directory's `EngineLock`, with the local API beside it, until SIGINT,
/// SIGTERM, `POST /api/v1/engine/stop` or (with an owner) the owner's exit.
struct EngineHost {
    var store: ConfigStore
    var options: EngineOptions
    var relayLog: (@Sendable (String) -> Void)?
    var alwaysEmbedded: Bool
    /// The TUI's process: the engine stops when it exits, unless kept.
    var ownerPID: Int32?
    /// Without its API the engine is unreachable (started in the background): fail instead of running on.
    var requireAPI = false

    /// Why the engine stops.
    enum StopReason: Sendable {
        case signal(Int32)
        case requested
        case ownerExited(Int32)

        var line: String {
            switch self {
            case .signal(let number): return number == SIGINT ? "interrupted: stopping" : "terminated: stopping"
            case .requested: return "asked to stop (burrow down): stopping"
            case .ownerExited(let pid): return "the owning process \(pid) exited: stopping"
            }
        }
    }

    /// A running engine and what stops it.
    struct Running: Sendable {
        let launched: EngineLauncher.Launched
        let server: EngineAPIServer?
        let lock: EngineLock
        /// The first reason to stop.
        let reasons: AsyncStream<StopReason>
        let watchers: [Task<Void, Never>]

        /// Drains and stops the engine, then the API (its socket removed), then lets the lock go.
        func stop() async {
            for watcher in watchers { watcher.cancel() }
            await launched.stop()
            await server?.stop()
            lock.release()
        }
    }

    /// Takes the lock, starts the engine and its API. Throws
    /// `EngineAPIError.alreadyRunning` when another engine has the directory.
    func start(signals: sending SignalWatcher) async throws -> Running {
        let lock = try EngineLock.acquire(configDirectory: store.directory)
        let launched = try await EngineLauncher.launch(
            store: store, options: options, relayLog: relayLog, alwaysEmbedded: alwaysEmbedded)
        let (reasons, stopper) = AsyncStream.makeStream(of: StopReason.self)
        let owner = Mutex<EngineOwner>(ownerPID == nil ? .up : .tui)
        let startedAt = Date().timeIntervalSince1970
        let embedded = launched.embeddedRelay.map { EmbeddedRelayInfo(host: $0.host, httpPort: $0.httpPort, sshPort: $0.sshPort) }
        let directory = store.directory
        let hooks = EngineAPIHooks(
            info: {
                EngineInfo(pid: getpid(), version: BurrowVersion.current, configDirectory: directory, startedAt: startedAt,
                           owner: owner.withLock { $0 }, embeddedRelay: embedded)
            },
            stop: { _ = stopper.yield(.requested) },
            keep: { owner.withLock { $0 = .up } })
        var server: EngineAPIServer?
        do {
            server = try await EngineAPIServer.start(configDirectory: directory, engine: launched.engine, hooks: hooks)
        } catch {
            if requireAPI {
                await launched.stop()
                lock.release()
                throw error
            }
            StandardError.write("burrow up: the local API is off (burrow status/down will not see this engine): \(error)\n")
        }
        var watchers: [Task<Void, Never>] = [Task {
            let number = await signals.next()
            stopper.yield(.signal(number))
        }]
        if let ownerPID {
            watchers.append(Task {
                // Bounded by the owner's life: ends when it exits, when kept, or at stop.
                while !Task.isCancelled {
                    if owner.withLock({ $0 }) == .up { return }
                    if !ProcessProbe.isAlive(ownerPID) {
                        stopper.yield(.ownerExited(ownerPID))
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(250))
                }
            })
        }
        return Running(launched: launched, server: server, lock: lock, reasons: reasons, watchers: watchers)
    }
}
