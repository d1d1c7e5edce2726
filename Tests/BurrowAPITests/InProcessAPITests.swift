import BurrowAgent
import BurrowAPI
import BurrowConfig
import BurrowCore
import BurrowRelay
import BurrowTestSupport
import Foundation
import Testing

/// The server and client around the real `Engine` in this process, as
/// `burrow up` wires them: what the client reads is the engine's own picture.
@Suite(.spawnsProcesses, .timeLimit(.minutes(10)))
struct InProcessAPITests {
    @Test func clientSnapshotIsTheEnginesSnapshot() async throws {
        let fixture = try await EngineFixture()
        defer { fixture.remove() }
        var configuration = TestRelay.configuration(stateDirectory: fixture.root + "/relay")
        configuration.allowAnyKey = true
        let relay = Relay(configuration: configuration)
        let endpoints = try await relay.start()
        var options = EngineOptions()
        options.embeddedRelay = EmbeddedRelayTarget(
            host: "127.0.0.1", sshPort: endpoints.sshPort, httpPort: endpoints.httpPort, hostKeyLine: endpoints.hostKeyLine)
        let store = ConfigStore(directory: fixture.configDir)
        let engine = Engine(store: store, options: options)
        let lock = try EngineLock.acquire(configDirectory: fixture.configDir)
        await engine.start()
        let stopped = AsyncStream.makeStream(of: Void.self)
        let server = try await EngineAPIServer.start(
            configDirectory: fixture.configDir, engine: engine,
            hooks: EngineAPIHooks(
                info: { EngineInfo(pid: getpid(), version: BurrowVersion.current, configDirectory: fixture.configDir, startedAt: 0, owner: .up) },
                stop: { stopped.continuation.yield() }, keep: {}))
        let client = try #require(try await EngineAPIClient.connect(configDirectory: fixture.configDir))
        #expect(client.engine.pid == getpid())

        // Wait (bounded) for the mapping, then compare what does not move by the second.
        let deadline = ContinuousClock.now + .seconds(60)
        while try await client.snapshot().mappings.first?.state != .online, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let remote = try await client.snapshot()
        let local = await engine.snapshot()
        #expect(remote.mappings.map(\.mapping) == local.mappings.map(\.mapping))
        #expect(remote.mappings.map(\.state) == local.mappings.map(\.state))
        #expect(remote.mappings.map(\.publicURL) == local.mappings.map(\.publicURL))
        #expect(remote.tunnels.map(\.profile) == local.tunnels.map(\.profile))
        #expect(remote.mappings.first?.state == .online)

        // A second engine on the directory is refused while the lock is held.
        #expect(throws: EngineAPIError.alreadyRunning(pid: getpid(), configDirectory: fixture.configDir)) {
            try EngineLock.acquire(configDirectory: fixture.configDir)
        }
        try await client.stop()
        var stops = stopped.stream.makeAsyncIterator()
        #expect(await stops.next() != nil, "POST /engine/stop reached the hook")
        await server.stop()
        await engine.stop()
        await relay.shutdown(drainTimeout: .zero)
        lock.release()
        #expect(try await EngineAPIClient.connect(configDirectory: fixture.configDir) == nil)
        #expect(EngineLock.holder(configDirectory: fixture.configDir) == nil)
    }
}
