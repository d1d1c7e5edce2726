import BurrowCore

extension ConfigStore {
    /// Precise changes to `mappings.json` made by anyone (this process, the
    /// CLI, an editor), polled every `interval`, so they show within about
    /// `interval` + a read. An invalid file yields nothing and the last good
    /// state stays in force; use `watchMappingEvents` to also hear about it.
    ///
    /// `initial` is what the caller already applied (e.g. from
    /// `loadMappings()`); the first poll reports the file's differences from
    /// it, so nothing slips between loading and watching. nil = read now.
    public func watchMappings(interval: Duration = .milliseconds(250), initial: [Mapping]? = nil) -> AsyncStream<[MappingChange]> {
        let events = watchMappingEvents(interval: interval, initial: initial)
        return AsyncStream { continuation in
            let task = Task {
                for await event in events {
                    if case .changes(let changes) = event { continuation.yield(changes) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Like `watchMappings`, plus `.invalid(error)` when the file stops
    /// parsing and `.recovered` when it parses again (for the TUI's status).
    public func watchMappingEvents(interval: Duration = .milliseconds(250), initial: [Mapping]? = nil) -> AsyncStream<MappingWatchEvent> {
        let start = initial ?? ((try? loadMappings().mappings) ?? [])
        let path = mappingsPath
        return AsyncStream { continuation in
            let task = Task {
                var watcher = MappingWatcher(path: path, initial: start)
                while !Task.isCancelled {
                    for event in watcher.poll() { continuation.yield(event) }
                    try? await Task.sleep(for: interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
