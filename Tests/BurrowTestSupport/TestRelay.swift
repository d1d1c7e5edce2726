import BurrowRelay

/// The one way tests start an in-process relay: the relay tests' kit
/// (`RelayTestKit`) and the agent tests' `RelayFixture` both build on this,
/// so their defaults cannot drift apart.
public enum TestRelay {
    /// A TCP port window of its own per relay, below the kernel's ephemeral
    /// range (32768+), so neither parallel tests nor outgoing connections take
    /// a port a test expects back. `burrow serve` in tests gets `--ports` from
    /// `portsFlag`, the same span.
    public static func portWindow() -> ClosedRange<Int> {
        let low = Int.random(in: 20000...32000)
        return low...(low + 500)
    }

    /// `--ports` for a `burrow serve` a test starts: the span the windows come from.
    public static let portsFlag = "20000-32000"

    /// A relay on 127.0.0.1 with OS-chosen SSH and HTTP ports and a port
    /// window of its own, its state in `stateDirectory`.
    public static func configuration(stateDirectory: String) -> RelayConfiguration {
        var configuration = RelayConfiguration(stateDirectory: stateDirectory)
        configuration.bindHost = "127.0.0.1"
        configuration.sshPort = 0
        configuration.httpPort = 0
        configuration.portRange = portWindow()
        // Every test visitor comes from 127.0.0.1: the per-IP rate limit is
        // tested on its own (RelayLimitsTests), not by every busy test.
        configuration.limits.newConnectionsPerSecondPerIP = 100_000
        return configuration
    }

    /// Runs `body` with a started relay, always shutting it down (1 s drain).
    public static func with<T>(
        _ configuration: RelayConfiguration, _ body: (Relay, RelayEndpoints) async throws -> T
    ) async throws -> T {
        let relay = Relay(configuration: configuration)
        let endpoints = try await relay.start()
        do {
            let result = try await body(relay, endpoints)
            await relay.shutdown(drainTimeout: .seconds(1))
            return result
        } catch {
            await relay.shutdown(drainTimeout: .seconds(1))
            throw error
        }
    }
}
