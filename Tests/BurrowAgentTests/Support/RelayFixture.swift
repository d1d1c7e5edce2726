import BurrowCertificates
import BurrowConfig
import BurrowCore
import BurrowRelay
import BurrowTestSupport
import Foundation

/// An in-process relay in its own state directory, on the shared test relay
/// configuration (`TestRelay`: 127.0.0.1, OS-chosen SSH and HTTP ports, a TCP
/// port window of its own below the ephemeral range, the per-IP rate limit
/// out of the way) — the same defaults as the relay tests' `RelayTestKit`.
struct RelayFixture {
    let relay: Relay
    let endpoints: RelayEndpoints
    let state: TestDirectory
    let portRange: ClosedRange<Int>

    /// `limits` changes the test defaults (it starts from them, per-IP rate included).
    static func start(allowAnyKey: Bool = true, authorizedKeys: [String] = [], state: TestDirectory? = nil,
                      sshPort: Int = 0, httpPort: Int = 0, limits: (inout RelayLimits) -> Void = { _ in },
                      log: (@Sendable (String) -> Void)? = nil, bindHost: String = "127.0.0.1",
                      tlsPort: Int? = nil, metricsPort: Int? = nil,
                      udpFlowIdleTimeout: Duration = .seconds(60),
                      certificates: CertificateManager? = nil) async throws -> RelayFixture {
        let state = try state ?? TestDirectory("burrow-relay")
        if !authorizedKeys.isEmpty {
            try state.write("authorized_keys", authorizedKeys.joined(separator: "\n") + "\n", mode: 0o600)
        }
        var configuration = TestRelay.configuration(stateDirectory: state.path)
        configuration.bindHost = bindHost
        configuration.tlsPort = tlsPort
        configuration.metricsPort = metricsPort
        configuration.udpFlowIdleTimeout = udpFlowIdleTimeout
        configuration.sshPort = sshPort
        configuration.httpPort = httpPort
        configuration.allowAnyKey = allowAnyKey
        configuration.log = log
        configuration.certificates = certificates
        limits(&configuration.limits)
        let relay = Relay(configuration: configuration)
        let endpoints = try await relay.start()
        return RelayFixture(relay: relay, endpoints: endpoints, state: state, portRange: configuration.portRange)
    }

    func stop(removeState: Bool = true) async {
        await relay.shutdown(drainTimeout: .zero)
        if removeState { state.remove() }
    }

    /// An agent aimed at this relay with `mappings`, started; then `body`;
    /// then the agent and this relay are stopped (and `alsoStop` run),
    /// whether or not `body` threw.
    func withAgent<T>(
        via: AgentFixture.Via = .embedded, mappings: [Mapping], keepalive: Duration? = nil, drainTimeout: Duration? = nil,
        alsoStop: () async -> Void = {}, _ body: (AgentFixture) async throws -> T
    ) async throws -> T {
        let agent: AgentFixture
        do {
            agent = try AgentFixture(relay: self, via: via, mappings: mappings, keepalive: keepalive, drainTimeout: drainTimeout)
        } catch {
            await stop()
            await alsoStop()
            throw error
        }
        return try await withCleanup {
            await agent.start()
            return try await body(agent)
        } cleanup: {
            await agent.stop()
            await stop()
            await alsoStop()
        }
    }
}

extension Mapping {
    /// An enabled HTTP mapping to 127.0.0.1:`port`.
    static func http(_ name: String, _ port: Int) -> Mapping {
        Mapping(name: name, protocol: .http, local: LocalAddress(port: port))
    }

    /// An enabled TCP mapping to 127.0.0.1:`port`.
    static func tcp(_ name: String, _ port: Int, remotePort: Int? = nil) -> Mapping {
        Mapping(name: name, protocol: .tcp, local: LocalAddress(port: port), remotePort: remotePort)
    }
}
