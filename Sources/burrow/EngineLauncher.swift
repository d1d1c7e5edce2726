import BurrowAgent
import BurrowCertificates
import BurrowConfig
import BurrowCore
import BurrowRelay

/// Starts what `burrow up` and the TUI run: the embedded relay (when no
/// profile is configured) and the tunnel engine. Both callers stop them with
/// `Launched.stop()`.
enum EngineLauncher {
    /// The first HTTP port the embedded relay tries; it moves up when taken.
    static let embeddedHTTPPorts = 8080...8099

    struct Launched: Sendable {
        let engine: Engine
        /// The relay started in this process, if any.
        let relay: Relay?
        let embeddedRelay: EmbeddedRelayTarget?
        /// Every engine event since start (subscribed before the engine started).
        let events: AsyncStream<EngineEvent>
        /// The process's one watcher of config.json and mappings.json, shared with the engine.
        let watcher: ConfigWatcher
        /// Gives memory back after busy spells (`MallocTuning.trimWhenQuiet`).
        let trimmer: Task<Void, Never>

        /// Stops the engine, then the embedded relay.
        func stop() async {
            trimmer.cancel()
            await engine.stop()
            watcher.stop()
            await relay?.shutdown(drainTimeout: .seconds(2))
        }
    }

    /// Starts the embedded relay if needed, then the engine.
    /// - Parameters:
    ///   - relayLog: where the embedded relay's log lines go (nil = nowhere, e.g. in the TUI).
    ///   - alwaysEmbedded: start the embedded relay even while a profile is
    ///     selected. The TUI does: its profile switcher offers "none: embedded
    ///     relay" at any time, and the engine cannot gain a relay later.
    static func launch(
        store: ConfigStore, options: EngineOptions = EngineOptions(),
        relayLog: (@Sendable (String) -> Void)? = nil, alwaysEmbedded: Bool = false
    ) async throws -> Launched {
        MallocTuning.apply()
        var options = options
        var relay: Relay?
        if options.embeddedRelay == nil,
           try alwaysEmbedded || needsEmbeddedRelay(store: store, profileFilter: options.profileFilter) {
            let started = try await startEmbeddedRelay(
                stateDirectory: store.directory + "/embedded-relay", configDirectory: store.directory, log: relayLog)
            relay = started.relay
            options.embeddedRelay = started.target
        }
        let watcher = ConfigWatcher(store: store)
        let engine = Engine(store: store, options: options, watcher: watcher)
        let events = engine.events()
        await engine.start()
        return Launched(engine: engine, relay: relay, embeddedRelay: options.embeddedRelay, events: events, watcher: watcher,
                        trimmer: MallocTuning.trimWhenQuiet())
    }

    /// The embedded relay serves mappings that follow no profile: needed when
    /// no profile is configured, or none is selected and a mapping has no
    /// profile of its own.
    static func needsEmbeddedRelay(store: ConfigStore, profileFilter: String?) throws -> Bool {
        if let profileFilter, profileFilter != EngineSnapshot.embeddedTunnel { return false }
        let config = try store.loadConfig()
        if config.profiles.isEmpty { return true }
        guard config.selectedProfile == nil else { return false }
        let mappings = (try? store.loadMappings().mappings) ?? []
        return mappings.contains { $0.profile == nil }
    }

    /// A relay on 127.0.0.1 (SSH on any free port, HTTP on 8080 or the next
    /// free one, TLS on 8443 or the one beside it), domain `localhost`,
    /// letting any key in: it is only reachable from this machine. HTTP
    /// mappings get https too, signed by the local CA in `configDirectory`
    /// (made once, like mkcert; `burrow trust` shows it): the https URL comes
    /// first once that CA is in the system's trust store, the plain one
    /// before (a browser would warn about an untrusted CA; http on
    /// `*.localhost` is a secure context anyway).
    static func startEmbeddedRelay(
        stateDirectory: String, configDirectory: String, log: (@Sendable (String) -> Void)?
    ) async throws -> (relay: Relay, target: EmbeddedRelayTarget) {
        let authority = try? LocalCertificateAuthority.loadOrCreate(directory: configDirectory)
        if authority == nil { log?("embedded relay: no local certificate authority in \(configDirectory); https is off") }
        var lastError: (any Error)?
        for httpPort in Array(embeddedHTTPPorts) + [0] {
            // TLS mappings work locally too: 8443 beside 8080 (8444 beside
            // 8081…) so https://NAME.localhost:8443 stays the same from run to
            // run; if that one is taken, any free port rather than another HTTP port.
            for tlsPort in httpPort == 0 ? [0] : [httpPort + 363, 0] {
                var configuration = RelayConfiguration(stateDirectory: stateDirectory)
                configuration.domain = "localhost"
                configuration.bindHost = "127.0.0.1"
                configuration.sshPort = 0
                configuration.httpPort = httpPort
                configuration.tlsPort = tlsPort
                configuration.allowAnyKey = true
                // Only this machine can reach it, so every visitor is 127.0.0.1:
                // a per-IP rate limit would only throttle the user's own browser.
                configuration.limits.newConnectionsPerSecondPerIP = 1_000_000
                // One user's own mappings: a public relay's per-key caps (10 mappings, 20 names) do not apply.
                configuration.limits.maxMappingsPerKey = 10_000
                configuration.limits.maxReservationsPerKey = 10_000
                configuration.log = log
                if let authority {
                    configuration.certificates = CertificateManager(
                        source: .localAuthority(authority), stateDirectory: stateDirectory, alpn: HTTP2Termination.alpnProtocols)
                    configuration.httpsFirst = Burrow.Trust.isInstalled(authority)
                }
                let relay = Relay(configuration: configuration)
                do {
                    let endpoints = try await relay.start()
                    let target = EmbeddedRelayTarget(
                        host: "127.0.0.1", sshPort: endpoints.sshPort, httpPort: endpoints.httpPort,
                        hostKeyLine: endpoints.hostKeyLine)
                    return (relay, target)
                } catch let error as RelayError {
                    // A taken port: try the next one. Anything else is final.
                    guard case .bindFailed(let what, _, _, _) = error else { throw error }
                    lastError = error
                    if what != "TLS" { break }
                }
            }
        }
        throw lastError ?? RelayError.stateDirectory(stateDirectory, reason: "could not start the embedded relay")
    }
}
