import BurrowCore

extension ConfigStore {
    /// Precise changes to `mappings.json` made by anyone (this process, the
    /// CLI, an editor), seen within about `interval` + a read, through a
    /// `ConfigWatcher` of its own that ends with the stream. An invalid file
    /// yields nothing and the last good state stays in force. A process that
    /// also runs an engine or the TUI shares one `ConfigWatcher` instead.
    public func watchMappings(interval: Duration = .milliseconds(250)) -> AsyncStream<[MappingChange]> {
        watch(interval: interval) { change in
            if case .mappings(let changes, _) = change { return changes }
            return nil
        }
    }

    /// Like `watchMappings`, plus `.invalid(error)` when the file stops parsing.
    public func watchMappingEvents(interval: Duration = .milliseconds(250)) -> AsyncStream<MappingWatchEvent> {
        watch(interval: interval) { change in
            switch change {
            case .mappings(let changes, _): return .changes(changes)
            case .mappingsInvalid(let error): return .invalid(error)
            case .config: return nil
            }
        }
    }

    private func watch<Element: Sendable>(
        interval: Duration, _ transform: @escaping @Sendable (ConfigChange) -> Element?
    ) -> AsyncStream<Element> {
        let watcher = ConfigWatcher(store: self, interval: interval)
        let changes = watcher.subscribe().changes
        watcher.start()
        return AsyncStream { continuation in
            let task = Task {
                for await change in changes {
                    if let element = transform(change) { continuation.yield(element) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in
                task.cancel()
                watcher.stop()
            }
        }
    }
}
