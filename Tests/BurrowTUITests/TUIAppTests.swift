import BurrowConfig
import BurrowCore
import BurrowTUI
import Foundation
import Testing
import TerminalUI

/// The whole UI loop without a terminal: keys pressed by name on a
/// FakeScreen, effects run by the real StoreEffects on a temp config dir.
@Suite struct TUIAppTests {
    /// The app's clock, moved by hand.
    final class Clock {
        var now = Fixtures.now
    }

    static func makeApp(screen: FakeScreen, directory: String, clock: Clock) -> TUIApp {
        let store = ConfigStore(directory: directory)
        var state = AppState(size: screen.size, now: clock.now)
        _ = Reducer.reduce(&state, .mappingsChanged((try? store.loadMappings().mappings) ?? []))
        let catalog = ThemeCatalog.load(directories: [Fixtures.themesDirectory])
        return TUIApp(screen: screen, state: state, catalog: catalog,
                      effects: StoreEffects(store: store, environment: ["PATH": "/nonexistent"]),
                      mailbox: Mailbox(), clock: { clock.now })
    }

    /// A TUIApp on a FakeScreen over a fresh config directory (`prepare`
    /// fills it first), with a clock the test moves; `remove()` in `defer`.
    final class Harness {
        let directory: String
        let screen: FakeScreen
        let clock = Clock()
        let app: TUIApp

        init(columns: Int = 100, rows: Int = 30, prepare: (ConfigStore) throws -> Void = { _ in }) throws {
            directory = try TUIAppTests.temporaryDirectory()
            do {
                try prepare(ConfigStore(directory: directory))
            } catch {
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
            screen = FakeScreen(columns: columns, rows: rows)
            app = TUIAppTests.makeApp(screen: screen, directory: directory, clock: clock)
        }

        func remove() {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("burrow-tuiapp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func addFormSavesToMappingsJSONAndTheTableShowsIt() throws {
        let harness = try TUIAppTests.Harness()
        defer { harness.remove() }
        let (directory, screen, clock, app) = (harness.directory, harness.screen, harness.clock, harness.app)
        screen.pendingEvents = [.key(.char("a"))] + "3000".map { .key(.char($0)) } + [.key(.tab), .key(.tab)]
            + "web".map { .key(.char($0)) } + [.key(.enter)]
        app.step(timeoutMilliseconds: 0)
        let saved = try ConfigStore(directory: directory).loadMappings().mappings
        #expect(saved == [Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000))])
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        #expect(app.state.modal == nil)
        #expect(screen.text.contains("Mappings (1)"))
        #expect(screen.text.contains("added web"))

        // The same name again: the form says so and stays open.
        screen.pendingEvents = [.key(.char("a"))] + "3001".map { .key(.char($0)) } + [.key(.tab), .key(.tab)]
            + "web".map { .key(.char($0)) } + [.key(.enter)]
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        #expect(screen.text.contains("mapping name 'web' is already taken"))
        #expect(try ConfigStore(directory: directory).loadMappings().mappings.count == 1)
        // e edits through the store: a new local port and name, same place in the file.
        screen.pendingEvents = [.key(.escape), .key(.char("e")), .key(.ctrl("u"))] + "3002".map { .key(.char($0)) }
            + [.key(.tab), .key(.tab), .key(.ctrl("u"))] + "site".map { .key(.char($0)) } + [.key(.enter)]
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        #expect(try ConfigStore(directory: directory).loadMappings().mappings == [Mapping(name: "site", protocol: .http, local: LocalAddress(port: 3002))])
        clock.now += 0.2
        app.step(timeoutMilliseconds: 0)
        #expect(screen.text.contains("saved site"))
        // Space disables, d + y deletes: each saved at once.
        screen.pendingEvents = [.key(.char(" "))]
        app.step(timeoutMilliseconds: 0)
        #expect(try ConfigStore(directory: directory).loadMappings().mappings.first?.enabled == false)
        screen.pendingEvents = [.key(.char("d")), .key(.char("y"))]
        app.step(timeoutMilliseconds: 0)
        #expect(try ConfigStore(directory: directory).loadMappings().mappings.isEmpty)
    }

    @Test func copyWritesOSC52AndToasts() throws {
        let harness = try TUIAppTests.Harness { store in
            try store.addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web", remotePort: nil, profile: nil, enabled: true)
        }
        defer { harness.remove() }
        let (screen, clock, app) = (harness.screen, harness.clock, harness.app)
        app.mailbox.post(.snapshot(Fixtures.snapshot))
        screen.pendingEvents = [.key(.char("c"))]
        app.step(timeoutMilliseconds: 0)
        #expect(screen.controlSequences == [Clipboard.osc52("http://web.localhost:8080")])
        clock.now += 0.2
        app.step(timeoutMilliseconds: 0)
        #expect(screen.line(28).contains("copied http://web.localhost:8080"))
        // The toast goes away after a few seconds.
        clock.now += 5
        app.step(timeoutMilliseconds: 0)
        #expect(!screen.line(28).contains("copied http://"))
        #expect(screen.text.contains("copied http://web.localhost:8080 (OSC 52)"))   // the log keeps it
    }

    @Test func drawsOnlyWhenSomethingChanged() throws {
        let harness = try TUIAppTests.Harness()
        defer { harness.remove() }
        let (screen, clock, app) = (harness.screen, harness.clock, harness.app)
        app.step(timeoutMilliseconds: 0)
        let first = app.frames
        #expect(first == 1)
        // Idle turns within the same second draw nothing.
        for _ in 0..<20 {
            clock.now += 0.01
            app.step(timeoutMilliseconds: 0)
        }
        #expect(app.frames == first)
        // A key that changes the screen draws one frame…
        screen.pendingEvents = [.key(.char("?"))]
        clock.now += 0.2
        app.step(timeoutMilliseconds: 0)
        #expect(app.frames == first + 1)
        #expect(screen.text.contains("Keys"))
        // …and a resize redraws at the new size.
        screen.resize(columns: 80, rows: 24)
        clock.now += 0.2
        app.step(timeoutMilliseconds: 0)
        #expect(screen.line(23).contains("Esc close"))   // the help is still open
        // At most 10 frames a second, however many changes arrive.
        let before = app.frames
        for index in 0..<50 {
            app.mailbox.post(.log("event \(index)", .info))
            clock.now += 0.01
            app.step(timeoutMilliseconds: 0)
        }
        #expect(app.frames - before <= 6)
    }
}
