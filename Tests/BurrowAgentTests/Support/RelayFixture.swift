import BurrowConfig
import BurrowRelay
import Foundation

/// An in-process relay on 127.0.0.1 with OS-chosen SSH and HTTP ports and a
/// random TCP port range, in its own state directory.
struct RelayFixture {
    let relay: Relay
    let endpoints: RelayEndpoints
    let state: TestDirectory
    let portRange: ClosedRange<Int>

    static func start(allowAnyKey: Bool = true, authorizedKeys: [String] = [], state: TestDirectory? = nil,
                      sshPort: Int = 0, httpPort: Int = 0, limits: RelayLimits? = nil,
                      log: (@Sendable (String) -> Void)? = nil, bindHost: String = "127.0.0.1",
                      tlsPort: Int? = nil, metricsPort: Int? = nil,
                      udpFlowIdleTimeout: Duration = .seconds(60)) async throws -> RelayFixture {
        let state = try state ?? TestDirectory("burrow-relay")
        if !authorizedKeys.isEmpty {
            try state.write("authorized_keys", authorizedKeys.joined(separator: "\n") + "\n", mode: 0o600)
        }
        let low = Int.random(in: 30000...59000)
        var configuration = RelayConfiguration(stateDirectory: state.path)
        configuration.bindHost = bindHost
        configuration.tlsPort = tlsPort
        configuration.metricsPort = metricsPort
        configuration.udpFlowIdleTimeout = udpFlowIdleTimeout
        configuration.sshPort = sshPort
        configuration.httpPort = httpPort
        configuration.portRange = low...(low + 200)
        configuration.allowAnyKey = allowAnyKey
        configuration.log = log
        if let limits {
            configuration.limits = limits
        } else {
            // Every test visitor comes from 127.0.0.1: the per-IP rate limit is
            // tested on its own (RelayLimitsTests), not by every busy test.
            configuration.limits.newConnectionsPerSecondPerIP = 100_000
        }
        let relay = Relay(configuration: configuration)
        let endpoints = try await relay.start()
        return RelayFixture(relay: relay, endpoints: endpoints, state: state, portRange: configuration.portRange)
    }

    func stop(removeState: Bool = true) async {
        await relay.shutdown(drainTimeout: .zero)
        if removeState { state.remove() }
    }
}
