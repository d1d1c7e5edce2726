import BurrowCore
import BurrowTestSupport
import Foundation
import Synchronization
import Testing
@testable import BurrowConfig

@Suite(.spawnsProcesses) struct MappingWatcherTests {
    @Test func diffIsPrecise() {
        let a = Mapping(name: "a", protocol: .http, local: LocalAddress(port: 1))
        let b = Mapping(name: "b", protocol: .tcp, local: LocalAddress(port: 2))
        var b2 = b
        b2.enabled = false
        let c = Mapping(name: "c", protocol: .udp, local: LocalAddress(port: 3))
        #expect(MappingChange.diff(from: [a, b], to: [b2, c]) == [.removed(a), .changed(old: b, new: b2), .added(c)])
        #expect(MappingChange.diff(from: [a], to: [a]).isEmpty)
    }

    @Test func pollReportsChangesAndKeepsLastGoodState() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        var watcher = MappingWatcher(path: store.mappingsPath, initial: [])
        #expect(watcher.poll().isEmpty)
        let web = try store.addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web", remotePort: nil, profile: nil, enabled: true)
        #expect(watcher.poll() == [.changes([.added(web)])])
        #expect(watcher.poll().isEmpty, "unchanged file: nothing")
        let off = try store.setMapping(named: "web", enabled: false).mapping
        #expect(watcher.poll() == [.changes([.changed(old: web, new: off)])])

        let good = try AtomicFile.read(store.mappingsPath)!
        try Array("{ broken".utf8).write(to: store.mappingsPath)
        #expect(watcher.poll().isEmpty, "maybe half-written: wait one poll")
        let events = watcher.poll()
        #expect(events.count == 1)
        if case .invalid(let error) = events.first {
            #expect(error.description.hasPrefix(store.mappingsPath + ":1:3:"))
        } else {
            Issue.record("expected .invalid, got \(events)")
        }
        #expect(watcher.current == [off], "last good state kept")
        try Array("[1,".utf8).write(to: store.mappingsPath)
        #expect(watcher.poll().isEmpty)
        #expect(watcher.poll().count == 1, "a different error is reported again")
        try Array("[1,".utf8).write(to: store.mappingsPath)
        #expect(watcher.poll().isEmpty)
        #expect(watcher.poll().isEmpty, "the same error is not")
        // Half-written, then complete before the next poll: only the outcome is reported.
        let half = Array(good.prefix(10))
        try half.write(to: store.mappingsPath)
        #expect(watcher.poll().isEmpty)

        try good.write(to: store.mappingsPath)
        #expect(watcher.poll() == [.recovered])
        #expect(watcher.poll().isEmpty)
        try store.removeMapping(named: "web")
        #expect(watcher.poll() == [.changes([.removed(off)])])
        try FileManager.default.removeItem(atPath: store.mappingsPath)
        #expect(watcher.poll().isEmpty)
    }

    /// Another process (python3) rewrites the file; the stream reports the precise change promptly (a poll away).
    @Test func streamSeesOtherProcessWithinOneSecond() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        let web = try store.addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web", remotePort: nil, profile: nil, enabled: true)
        let stream = store.watchMappings()
        let writer = """
            import json, os, sys
            path = sys.argv[1]
            data = json.load(open(path))
            data["mappings"].append({"name": "db", "protocol": "tcp", "local": "127.0.0.1:5432", "enabled": True})
            data["mappings"][0]["enabled"] = False
            open(path + ".new", "w").write(json.dumps(data, indent=2))
            os.rename(path + ".new", path)
            """
        try await Task.sleep(for: .milliseconds(300))  // let the watcher take its first look
        // The watcher's own thread, polling at the stream's default interval,
        // timestamps its sighting: that is the latency the engine and the TUI
        // get. (The test task's own wake-up is left out: with ~200 tests
        // sharing a 2-thread cooperative pool it alone took 1-2 s here.)
        let sighting = WatchSighting(path: store.mappingsPath, initial: [web])
        let result = try await SpawnedProcess.run("/usr/bin/python3", ["-c", writer, store.mappingsPath], timeout: .seconds(30))
        let written = ContinuousClock.now  // the rename is done once python3 has exited
        #expect(result.status == 0, "\(result.stderr)")
        var iterator = stream.makeAsyncIterator()
        let changes = await iterator.next()
        let seen = try #require(await sighting.wait(timeout: .seconds(60)))
        #expect(seen - written < .seconds(5))  // a poll, not a slow fallback; generous for a loaded machine
        var off = web
        off.enabled = false
        #expect(changes == [.changed(old: web, new: off), .added(Mapping(name: "db", protocol: .tcp, local: LocalAddress(port: 5432)))])
    }

    @Test func eventStreamReportsInvalidFile() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        try store.addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web", remotePort: nil, profile: nil, enabled: true)
        let stream = store.watchMappingEvents(interval: .milliseconds(50))
        var iterator = stream.makeAsyncIterator()
        try Array("{\"version\": 1, \"mappings\": [{\"name\": \"x\"}]}".utf8).write(to: store.mappingsPath)
        let event = await iterator.next()
        guard case .invalid(let error) = event else {
            Issue.record("expected .invalid, got \(String(describing: event))")
            return
        }
        #expect(error.description.contains("'mappings[0].protocol': missing"))
    }
}

/// Polls `mappings.json` on a thread of its own every 250 ms, as
/// `ConfigStore.watchMappings` does, and notes when it first sees a change.
final class WatchSighting: Sendable {
    private let seen = Mutex<ContinuousClock.Instant?>(nil)

    init(path: String, initial: [Mapping]) {
        let thread = Thread { [self] in
            var watcher = MappingWatcher(path: path, initial: initial)
            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            while ContinuousClock.now < deadline {
                if !watcher.poll().isEmpty {
                    seen.withLock { $0 = ContinuousClock.now }
                    return
                }
                usleep(250_000)
            }
        }
        thread.start()
    }

    func wait(timeout: Duration) async -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let instant = seen.withLock({ $0 }) { return instant }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
