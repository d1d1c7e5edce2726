import BurrowAgent
import BurrowConfig
import BurrowCore
import Foundation

/// An in-process engine with its own config directory, aimed at a relay
/// either as the embedded relay (exact host key) or through a profile
/// (trust on first use in known_relays).
final class AgentFixture {
    enum Via { case embedded, profile }

    let directory: TestDirectory
    let store: ConfigStore
    let engine: Engine
    let watcher: EventWatcher

    init(relay: RelayFixture, via: Via = .embedded, mappings: [Mapping], directory: TestDirectory? = nil,
         sshPort: Int? = nil, keepalive: Duration? = nil, drainTimeout: Duration? = nil, connections: Int? = nil) throws {
        self.directory = try directory ?? TestDirectory("burrow-agent")
        store = ConfigStore(directory: self.directory.path)
        var options = EngineOptions()
        if let keepalive { options.keepaliveInterval = keepalive }
        if let drainTimeout { options.drainTimeout = drainTimeout }
        options.connections = connections
        switch via {
        case .embedded:
            options.embeddedRelay = EmbeddedRelayTarget(
                host: "127.0.0.1", sshPort: relay.endpoints.sshPort, httpPort: relay.endpoints.httpPort,
                hostKeyLine: relay.endpoints.hostKeyLine)
        case .profile:
            try store.updateConfig { config in
                if config.profile(named: "test") == nil {
                    config.profiles.append(Profile(name: "test", host: "127.0.0.1", sshPort: sshPort ?? relay.endpoints.sshPort))
                }
                config.selectedProfile = "test"
            }
        }
        try store.updateMappings { $0.mappings = mappings }
        engine = Engine(store: store, options: options)
        watcher = EventWatcher(engine.events())
    }

    var identity: Identity {
        get throws { try store.identity(for: nil) }
    }

    func start() async { await engine.start() }

    func mapping(_ name: String) async -> MappingSnapshot? {
        await engine.snapshot().mappings.first { $0.mapping.name == name }
    }

    func stop(removeDirectory: Bool = true) async {
        await engine.stop()
        watcher.cancel()
        if removeDirectory { directory.remove() }
    }
}

/// Runs `body`, then `cleanup` whether or not `body` threw, then rethrows.
func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
    let result: Result<T, any Error>
    do {
        result = .success(try await body())
    } catch {
        result = .failure(error)
    }
    await cleanup()
    return try result.get()
}
