import BurrowCore
import Foundation

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
    ///
    /// Polling runs on a thread of its own, not the cooperative pool, so a
    /// busy or blocked pool cannot delay a change past the 1 s promise.
    /// Ending the stream (or cancelling its consumer) stops the thread within
    /// one interval.
    public func watchMappingEvents(interval: Duration = .milliseconds(250), initial: [Mapping]? = nil) -> AsyncStream<MappingWatchEvent> {
        let start = initial ?? ((try? loadMappings().mappings) ?? [])
        let path = mappingsPath
        let stop = WatchStopFlag()
        let pause = max(1_000, interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
        return AsyncStream { continuation in
            let thread = Thread {
                var watcher = MappingWatcher(path: path, initial: start)
                while !stop.isSet {
                    for event in watcher.poll() { continuation.yield(event) }
                    usleep(useconds_t(min(pause, 10_000_000)))
                }
                continuation.finish()
            }
            thread.name = "burrow-mappings-watcher"
            continuation.onTermination = { _ in stop.set() }
            thread.start()
        }
    }
}
