import BurrowConfig
import BurrowCore
import NIOCore
import NIOPosix
import Synchronization

/// The tunnel engine: one tunnel per relay that has enabled mappings, each
/// an SSH connection that registers the mappings and splices every visitor to
/// its local service. `burrow up` and the TUI drive it through this API and
/// read it only through `snapshot()` and `events()`.
public final class Engine: TunnelEngine {
    private let store: ConfigStore
    private let watcher: ConfigWatcher
    /// The engine made its watcher (none was given) and stops it.
    private let ownsWatcher: Bool
    let group: MultiThreadedEventLoopGroup
    private let hub = EventHub()
    let core: EngineCore
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let lifecycle = Mutex<Lifecycle>(.idle)

    private enum Lifecycle { case idle, running, stopped }

    /// `watcher`: the process's one `ConfigWatcher`, shared with the TUI;
    /// nil = the engine watches the configuration itself.
    public init(store: ConfigStore, options: EngineOptions, watcher: ConfigWatcher? = nil) {
        self.store = store
        self.watcher = watcher ?? ConfigWatcher(store: store)
        self.ownsWatcher = watcher == nil
        // One SSH connection lives on one loop; visitors of different
        // tunnels (and later, of several connections per relay) use all cores.
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
        core = EngineCore(store: store, options: options, group: group, hub: hub)
    }

    /// Opens the tunnels for the configuration as it is, then follows the
    /// watcher's changes (mappings, profiles, the selected profile).
    public func start() async {
        let proceed = lifecycle.withLock { state in
            guard state == .idle else { return false }
            state = .running
            return true
        }
        guard proceed else { return }
        let subscription = watcher.subscribe()
        watcher.start()
        if let error = subscription.configError { hub.emit(.error(mapping: nil, message: error.description)) }
        await core.start(config: subscription.config, mappings: subscription.mappings)
        let core = self.core
        let follower = Task {
            for await change in subscription.changes {
                switch change {
                case .mappings(let changes, let now):
                    await core.applyMappings(changes, now: now)
                case .mappingsInvalid(let error):
                    await core.mappingsInvalid(error)
                case .config(let fresh, _):
                    await core.applyConfig(fresh)
                }
            }
        }
        let sampler = Task {
            while !Task.isCancelled {
                await core.sample()
                try? await Task.sleep(for: .seconds(1))
            }
        }
        tasks.withLock { $0 += [follower, sampler] }
    }

    /// Closes every tunnel and releases the event loops. Open visitors are cut.
    public func stop() async {
        let proceed = lifecycle.withLock { state in
            defer { state = .stopped }
            return state != .stopped
        }
        guard proceed else { return }
        for task in tasks.withLock({ $0 }) { task.cancel() }
        if ownsWatcher { watcher.stop() }
        await core.stop()
        try? await group.shutdownGracefully()
        hub.finish()
    }

    public func snapshot() async -> EngineSnapshot {
        await core.snapshot()
    }

    /// Events from now on (subscribe before `start()` to see them all).
    public func events() -> AsyncStream<EngineEvent> {
        hub.stream()
    }
}
