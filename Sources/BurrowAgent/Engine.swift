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
    private let group: MultiThreadedEventLoopGroup
    private let hub = EventHub()
    private let core: EngineCore
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let lifecycle = Mutex<Lifecycle>(.idle)

    private enum Lifecycle { case idle, running, stopped }

    public init(store: ConfigStore, options: EngineOptions) {
        self.store = store
        // One SSH connection lives on one loop; visitors of different
        // tunnels (and later, of several connections per relay) use all cores.
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
        core = EngineCore(store: store, options: options, group: group, hub: hub)
    }

    /// Reads the mappings, opens the tunnels and starts watching `mappings.json`.
    public func start() async {
        let proceed = lifecycle.withLock { state in
            guard state == .idle else { return false }
            state = .running
            return true
        }
        guard proceed else { return }
        let applied = await core.start()
        let core = self.core
        let changes = store.watchMappingEvents(initial: applied)
        let watcher = Task {
            for await event in changes {
                switch event {
                case .changes, .recovered:
                    // Reread the whole file: the tunnels diff it against what they serve.
                    await core.reloadMappings()
                case .invalid(let error):
                    await core.mappingsInvalid(error)
                }
            }
        }
        let sampler = Task {
            var ticks = 0
            while !Task.isCancelled {
                await core.sample()
                // Profiles change rarely (`burrow profile`, the TUI's switcher): a look every 2 s.
                ticks += 1
                if ticks % 2 == 0 { await core.reloadConfig() }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        tasks.withLock { $0 += [watcher, sampler] }
    }

    /// Closes every tunnel and releases the event loops. Open visitors are cut.
    public func stop() async {
        let proceed = lifecycle.withLock { state in
            defer { state = .stopped }
            return state != .stopped
        }
        guard proceed else { return }
        for task in tasks.withLock({ $0 }) { task.cancel() }
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
