import BurrowCore
import Foundation
import Synchronization

/// The one watcher of a process's configuration (rathole's `config_watcher`
/// is the model): it polls `mappings.json` and `config.json` on a thread of
/// its own and publishes typed `ConfigChange`s to every subscriber, so the
/// engine and the TUI see the same changes and neither re-reads the files.
///
/// Polling runs off the cooperative pool, so a busy or blocked pool cannot
/// delay a change past the 1 s promise; a poll is one `stat` per file when
/// nothing changed. The relay's `authorized_keys` is not watched here: the
/// relay refreshes its own cache of it (see `AuthorizedKeys`).
public final class ConfigWatcher: Sendable {
    /// What a subscriber starts from, and everything after it.
    public struct Subscription: Sendable {
        /// `config.json` as the watcher last read it (defaults if it never parsed).
        public let config: ConfigFile
        /// The mappings in force (empty if `mappings.json` never parsed).
        public let mappings: [Mapping]
        /// Why `config.json` did not parse when the watcher first read it, if it did not.
        public let configError: ConfigError?
        public let changes: AsyncStream<ConfigChange>
    }

    private struct State {
        var config: ConfigFile
        var mappings: [Mapping]
        var configError: ConfigError?
        var subscribers: [Int: AsyncStream<ConfigChange>.Continuation] = [:]
        var nextID = 0
        var started = false
        var stopped = false
    }

    public let store: ConfigStore
    private let interval: Duration
    private let state: Mutex<State>
    private let stopFlag = WatchStopFlag()

    /// Reads both files once; `start()` begins watching them.
    public init(store: ConfigStore, interval: Duration = .milliseconds(250)) {
        self.store = store
        self.interval = interval
        var config = ConfigFile()
        var configError: ConfigError?
        do {
            config = try store.loadConfig()
        } catch {
            configError = error
        }
        // An invalid mappings.json is reported by the first polls (`.mappingsInvalid`).
        state = Mutex(State(config: config, mappings: (try? store.loadMappings().mappings) ?? [], configError: configError))
    }

    /// The state now and every change from now on, with nothing in between
    /// lost or seen twice. The stream ends when the watcher stops.
    public func subscribe() -> Subscription {
        let (stream, continuation) = AsyncStream.makeStream(of: ConfigChange.self)
        let subscription = state.withLock { state -> Subscription in
            if state.stopped {
                continuation.finish()
            } else {
                state.nextID += 1
                state.subscribers[state.nextID] = continuation
                let id = state.nextID
                continuation.onTermination = { [weak self] _ in
                    _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
                }
            }
            return Subscription(config: state.config, mappings: state.mappings, configError: state.configError, changes: stream)
        }
        return subscription
    }

    /// Starts the polling thread (once; later calls do nothing).
    public func start() {
        let (go, mappings) = state.withLock { state -> (Bool, [Mapping]) in
            defer { state.started = true }
            return (!state.started && !state.stopped, state.mappings)
        }
        guard go else { return }
        let pause = max(1_000, Int64(interval.inSeconds * 1e6))
        let thread = Thread { [self] in
            var mappingsWatcher = MappingWatcher(path: store.mappingsPath, initial: mappings)
            // nil = never looked: the first poll reads the file and publishes
            // what changed since `init` read it (the thread may start late).
            var configStamp: MappingWatcher.Stamp?? = nil
            while !stopFlag.isSet {
                for event in mappingsWatcher.poll() { publish(event, now: mappingsWatcher.current) }
                let stamp = MappingWatcher.stamp(of: store.configPath)
                if configStamp != .some(stamp) {
                    configStamp = stamp
                    if let fresh = try? store.loadConfig() { publish(fresh) }
                }
                usleep(useconds_t(min(pause, 10_000_000)))
            }
        }
        thread.name = "burrow-config-watcher"
        thread.start()
    }

    /// Stops the thread (within one interval) and ends every subscription.
    public func stop() {
        stopFlag.set()
        let subscribers = state.withLock { state in
            state.stopped = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    private func publish(_ event: MappingWatchEvent, now mappings: [Mapping]) {
        state.withLock { state in
            let change: ConfigChange
            switch event {
            case .changes(let changes):
                state.mappings = mappings
                change = .mappings(changes, now: mappings)
            case .invalid(let error):
                change = .mappingsInvalid(error)
            case .recovered:
                return  // its changes, if any, follow as `.changes`
            }
            for subscriber in state.subscribers.values { subscriber.yield(change) }
        }
    }

    private func publish(_ config: ConfigFile) {
        state.withLock { state in
            guard config != state.config else { return }
            let previous = state.config
            state.config = config
            state.configError = nil
            for subscriber in state.subscribers.values { subscriber.yield(.config(config, previous: previous)) }
        }
    }
}
