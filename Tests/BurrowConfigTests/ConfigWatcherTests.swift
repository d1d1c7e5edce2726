import BurrowConfig
import BurrowCore
import Testing

/// The process's one watcher of config.json and mappings.json: every
/// subscriber (the engine, the TUI) gets the state it starts from and then
/// the same typed changes, with nothing re-read by them.
@Suite(.timeLimit(.minutes(2))) struct ConfigWatcherTests {
    /// A store in a temp directory with one mapping, and a watcher of it
    /// polling every 50 ms (not started), for `body`; then the watcher is
    /// stopped and the directory removed.
    static func watchingOneMapping(_ body: (ConfigStore, Mapping, ConfigWatcher) async throws -> Void) async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        let web = try store.addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web", remotePort: nil, profile: nil, enabled: true)
        let watcher = ConfigWatcher(store: store, interval: .milliseconds(50))
        defer { watcher.stop() }
        try await body(store, web, watcher)
    }

    @Test func twoSubscribersStartFromTheSameStateAndSeeTheSameMappingChanges() async throws {
        try await Self.watchingOneMapping { store, web, watcher in
            let engine = watcher.subscribe()
            let ui = watcher.subscribe()
            #expect(engine.mappings == [web])
            #expect(ui.mappings == [web])
            #expect(engine.configError == nil)
            watcher.start()

            _ = try store.setMapping(named: "web", enabled: false)
            var off = web
            off.enabled = false
            let expected = ConfigChange.mappings([.changed(old: web, new: off)], now: [off])
            var engineChanges = engine.changes.makeAsyncIterator()
            var uiChanges = ui.changes.makeAsyncIterator()
            #expect(await engineChanges.next() == expected)
            #expect(await uiChanges.next() == expected)
            // A late subscriber starts from the state after that change.
            #expect(watcher.subscribe().mappings == [off])
        }
    }

    @Test func aProfileSwitchIsOneTypedConfigChange() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        _ = try store.addProfile(Profile(name: "home", host: "relay.localhost"))
        _ = try store.addProfile(Profile(name: "work", host: "work.localhost"))
        let before = try store.loadConfig()
        let watcher = ConfigWatcher(store: store, interval: .milliseconds(50))
        defer { watcher.stop() }
        let subscription = watcher.subscribe()
        #expect(subscription.config == before)
        watcher.start()

        let switched = before.selectedProfile == "work" ? "home" : "work"
        _ = try store.selectProfile(named: switched)
        var changes = subscription.changes.makeAsyncIterator()
        let change = await changes.next()
        guard case .config(let now, let previous) = change else {
            Issue.record("expected a config change, got \(String(describing: change))")
            return
        }
        #expect(now.selectedProfile == switched)
        #expect(previous == before)
        #expect(change?.changesProfiles == true)

        // A change of UI preferences only is a config change that moves no profile.
        _ = try store.updateConfig { $0.ui.theme = "light" }
        let theme = await changes.next()
        #expect(theme?.changesProfiles == false)
        guard case .config(let themed, _) = theme else {
            Issue.record("expected a config change, got \(String(describing: theme))")
            return
        }
        #expect(themed.ui.theme == "light")
    }

    @Test func anInvalidMappingsFileIsPublishedOnceAndTheLastGoodStateStays() async throws {
        try await Self.watchingOneMapping { store, web, watcher in
            let subscription = watcher.subscribe()
            watcher.start()
            try Array("{\"version\": 1, \"mappings\": [{\"name\": \"x\"}]}".utf8).write(to: store.mappingsPath)
            var changes = subscription.changes.makeAsyncIterator()
            guard case .mappingsInvalid(let error) = await changes.next() else {
                Issue.record("expected mappingsInvalid")
                return
            }
            #expect(error.description.contains("'mappings[0].protocol': missing"))
            #expect(watcher.subscribe().mappings == [web])
        }
    }

    /// The watcher reads the files in `init` and starts polling later: a
    /// change in between is published, not taken as the starting point.
    @Test func aChangeBetweenReadingAndPollingIsPublished() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        let watcher = ConfigWatcher(store: store, interval: .milliseconds(50))
        defer { watcher.stop() }
        let subscription = watcher.subscribe()
        _ = try store.addProfile(Profile(name: "home", host: "relay.localhost"))
        _ = try store.addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web", remotePort: nil, profile: nil, enabled: true)
        watcher.start()
        var seen: [String] = []
        for await change in subscription.changes {
            switch change {
            case .config(let now, _): seen.append("profiles \(now.profiles.map(\.name))")
            case .mappings(_, let now): seen.append("mappings \(now.map(\.name))")
            case .mappingsInvalid(let error): seen.append("\(error)")
            }
            if seen.count == 2 { break }
        }
        #expect(Set(seen) == ["profiles [\"home\"]", "mappings [\"web\"]"])
    }

    @Test func stoppingEndsEverySubscription() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let watcher = ConfigWatcher(store: ConfigStore(directory: dir.path), interval: .milliseconds(50))
        let subscription = watcher.subscribe()
        watcher.start()
        watcher.stop()
        var changes = subscription.changes.makeAsyncIterator()
        #expect(await changes.next() == nil)
        var late = watcher.subscribe().changes.makeAsyncIterator()
        #expect(await late.next() == nil)
    }
}
