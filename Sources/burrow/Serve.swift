import ArgumentParser
import BurrowCluster
import BurrowConfig
import BurrowCore
import BurrowRelay
import Foundation

extension Burrow {
    /// `burrow serve`: run a relay on a machine with a public address.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Run a relay: an SSH server that hands out public URLs and sends visitors through agents' tunnels.",
            discussion: """
                Agents (`burrow up`, or plain `ssh -R`) log in with a key listed in \
                STATE_DIR/authorized_keys. HTTP mappings are reached at \
                http://NAME.DOMAIN[:HTTP_PORT] (point a wildcard DNS record *.DOMAIN at this \
                machine); TCP mappings get a port from --ports. Names and ports stay with the \
                key that got them (STATE_DIR/reservations.json). SIGTERM or Ctrl-C stops \
                accepting, lets open connections finish for up to 10 s, and exits 0.

                Examples:
                  burrow serve                      # try it: http://NAME.localhost:8080
                  burrow serve --domain tunnel.example.com --http-port 80 --ssh-port 2222
                  ssh -N -R demo:80:localhost:3000 -p 2222 me@tunnel.example.com
                  burrow serve reservations ls      # who holds which name and port
                  burrow serve --cluster postgres://burrow@db.example.com/burrow --advertise r1.example.com:2222
                  burrow serve --cluster postgres://burrow@db.example.com/burrow --import-state ~/.local/state/burrow-relay
                """,
            subcommands: [ServeReservations.self]
        )

        @OptionGroup var global: GlobalOptions

        @OptionGroup var stateDirectory: ServeStateDirectory

        @Option(help: ArgumentHelp("HTTP mappings are NAME.DOMAIN; point *.DOMAIN at this machine.", valueName: "DOMAIN"))
        var domain = "localhost"

        @Option(help: ArgumentHelp("Address to listen on (default: every address; 127.0.0.1 keeps the relay on this machine).", valueName: "ADDR"))
        var bind = "0.0.0.0"

        @Option(help: ArgumentHelp("SSH port agents dial (0 = any free port).", valueName: "N"))
        var sshPort = 2222

        @Option(help: ArgumentHelp("Port of the HTTP router (0 = any free port).", valueName: "N"))
        var httpPort = 8080

        @Option(help: ArgumentHelp("Range TCP mappings get their public ports from.", valueName: "LO-HI"))
        var ports = "20000-20999"

        @Option(help: ArgumentHelp("Port of the TLS router: https://NAME.DOMAIN[:N], routed by SNI, passed through unopened (default 8443; 0 = any free port).", valueName: "N"))
        var tlsPort: Int?

        @Option(help: ArgumentHelp("Seconds a UDP flow may stay idle before the relay closes it.", valueName: "SECONDS"))
        var udpIdleTimeout = 60

        @Option(help: ArgumentHelp("Serve Prometheus text at /metrics and a health check at /healthz on this port (off unless given; 0 = any free port).", valueName: "N"))
        var metricsPort: Int?

        @Option(help: ArgumentHelp("Address the metrics port listens on.", valueName: "ADDR"))
        var metricsBind = "127.0.0.1"

        @Flag(help: "Let any SSH key in (a public trial relay); otherwise only keys in STATE_DIR/authorized_keys.")
        var allowAnyKey = false

        @OptionGroup(title: "HTTPS for HTTP mappings (on the TLS port)") var https: ServeHTTPSOptions

        @OptionGroup(title: "A fleet of relays sharing PostgreSQL") var clusterURL: ServeClusterURL

        @OptionGroup(title: "A fleet of relays sharing PostgreSQL") var fleet: ServeClusterOptions

        func validate() throws {
            _ = try Self.parsePorts(ports)
            if !(1...86400).contains(udpIdleTimeout) {
                throw ValidationError("invalid --udp-idle-timeout \(udpIdleTimeout): use 1 to 86400 seconds")
            }
            for (flag, value) in [("--ssh-port", sshPort), ("--http-port", httpPort), ("--tls-port", tlsPort ?? 8443), ("--metrics-port", metricsPort ?? 0)] where !(0...65535).contains(value) {
                throw ValidationError("invalid \(flag) \(value): use a port from 0 to 65535 (0 = any free port)")
            }
            let labels = domain.lowercased().split(separator: ".", omittingEmptySubsequences: false)
            guard !labels.isEmpty, labels.allSatisfy({ DNSLabel.isValid(String($0)) }) else {
                throw ValidationError("invalid --domain '\(domain)': use a DNS name like tunnel.example.com (or localhost)")
            }
            try https.validate(domain: domain.lowercased())
        }

        static func parsePorts(_ text: String) throws -> ClosedRange<Int> {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), 1 <= low, low <= high, high <= 65535
            else {
                throw ValidationError("invalid --ports '\(text)': use LO-HI with 1 <= LO <= HI <= 65535, e.g. 20000-20999")
            }
            return low...high
        }

        static func defaultStateDirectory(_ environment: [String: String]) -> String {
            if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/burrow-relay" }
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            return home + "/.local/state/burrow-relay"
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let directory = stateDirectory.path ?? Self.defaultStateDirectory(environment)
            var configuration = RelayConfiguration(stateDirectory: directory)
            configuration.domain = domain.lowercased()
            configuration.bindHost = bind
            configuration.sshPort = sshPort
            configuration.httpPort = httpPort
            configuration.portRange = try Self.parsePorts(ports)
            configuration.allowAnyKey = allowAnyKey
            configuration.tlsPort = tlsPort ?? 8443
            configuration.udpFlowIdleTimeout = .seconds(udpIdleTimeout)
            configuration.metricsPort = metricsPort
            configuration.metricsHost = metricsBind
            configuration.log = { line in StandardError.write("\(Self.timestamp()) \(line)\n") }
            // The fleet (--cluster, or relay.json's "cluster"); Relay.start reads relay.json's limits itself.
            let clusterSettings: RelaySettingsFile.Cluster?
            do {
                clusterSettings = try RelaySettingsFile.load(path: directory + "/relay.json")?.cluster
            } catch {
                StandardError.write("burrow serve: \(error.description)\n")
                throw ExitCode.failure
            }
            var member: PostgresFleet?
            do {
                member = try fleet.fleet(cluster: clusterURL.cluster, settings: clusterSettings, domain: domain.lowercased())
            } catch {
                StandardError.write("burrow serve: \(error.description)\n")
                throw ExitCode.failure
            }
            if member == nil {
                for (flag, given) in [("--import-state", fleet.importState != nil), ("--advertise", fleet.advertise != nil), ("--heartbeat-seconds", fleet.heartbeatSeconds != nil)] where given {
                    StandardError.write("burrow serve: \(flag) needs --cluster postgres://… (or relay.json's cluster): it is about the fleet's database\n")
                    throw ExitCode.failure
                }
            }
            if let importDirectory = fleet.importState, let member {
                do {
                    let report = try await ClusterImport.run(address: member.address, stateDirectory: importDirectory)
                    print("imported \(importDirectory)/reservations.json into \(member.address): \(report.keys) key(s), \(report.names) name(s), \(report.ports) port(s) new, \(report.alreadyThere) already there")
                    return
                } catch {
                    StandardError.write("burrow serve: \(error)\n")
                    throw ExitCode.failure
                }
            }
            configuration.fleet = member
            var httpsSource: String?
            do {
                if let (manager, board, source) = try https.makeManager(stateDirectory: directory, configDirectory: global.store().directory) {
                    configuration.certificates = manager
                    configuration.challengeBoard = board
                    httpsSource = source
                }
            } catch {
                StandardError.write("burrow serve: \(error)\n")
                throw ExitCode.failure
            }

            // A relay holds a descriptor per visitor: use all the system allows
            // (the soft limit is often 1024, far below the hard one).
            #if canImport(Glibc)
            var files = rlimit()
            if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &files) == 0, files.rlim_cur < files.rlim_max {
                files.rlim_cur = files.rlim_max
                _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &files)
            }
            #endif

            // Installed before the relay starts, so an early signal is not lost.
            let signals = SignalWatcher(signals: [SIGTERM, SIGINT])
            // Memory a burst of visitors used goes back once the relay is quiet again.
            let trimmer = MallocTuning.trimWhenQuiet()
            defer { trimmer.cancel() }
            var relay = Relay(configuration: configuration)
            let endpoints: RelayEndpoints
            do {
                do {
                    endpoints = try await relay.start()
                } catch RelayError.bindFailed(what: "TLS", _, _, let reason) where tlsPort == nil {
                    // Only the default port was busy: run without TLS rather than not at all.
                    StandardError.write("burrow serve: the default TLS port 8443 cannot be bound (\(reason)); TLS mappings are off. Pass --tls-port N (0 = any free port) to turn them on.\n")
                    configuration.tlsPort = nil
                    relay = Relay(configuration: configuration)
                    endpoints = try await relay.start()
                }
            } catch {
                StandardError.write("burrow serve: \(error)\n")
                throw ExitCode.failure
            }
            let httpSuffix = endpoints.httpPort == 80 ? "" : ":\(endpoints.httpPort)"
            let keys = allowAnyKey
                ? "any key (--allow-any-key)"
                : "\(directory)/authorized_keys (re-read when it changes)"
            print("""
                burrow relay \(BurrowVersion.current), state in \(directory)
                  host key   \(endpoints.fingerprint)  (\(endpoints.hostKeyLine.split(separator: " ").prefix(2).joined(separator: " ")))
                  ssh        \(bind):\(endpoints.sshPort)
                  http       \(bind):\(endpoints.httpPort)  ->  http://NAME.\(configuration.domain)\(httpSuffix)
                  tls        \(endpoints.tlsPort.map { "\(bind):\($0)  ->  https://NAME.\(configuration.domain)\($0 == 443 ? "" : ":\($0)") (SNI: \(httpsSource.map { "http mappings terminated, \($0); tls mappings passed through" } ?? "passed through"))" } ?? "off")
                  metrics    \(endpoints.metricsPort.map { "http://\(metricsBind):\($0)/metrics and /healthz" } ?? "off (--metrics-port N)")
                  tcp ports  \(configuration.portRange.lowerBound)-\(configuration.portRange.upperBound) (udp too)
                  keys       \(keys)
                  fleet      \(member.map { "\($0.address), this member listed as \($0.advertise ?? "\($0.defaultHost):\(endpoints.sshPort)")" } ?? "off (--cluster postgres://…)")
                """)
            if bind == "0.0.0.0" || bind == "::" {
                print("  note: listening on every address of this machine (--bind \(bind), the default); pass --bind 127.0.0.1 to try it locally only")
            }
            if https.acmeEmail != nil, https.acmeDirectory == nil, endpoints.httpPort != 80 {
                print("  note: Let's Encrypt checks each name at http://NAME.\(configuration.domain)/ on port 80, but the HTTP port is \(endpoints.httpPort): pass --http-port 80 (or forward 80 to it), or certificates will fail")
            }
            if !allowAnyKey, !FileManager.default.fileExists(atPath: directory + "/authorized_keys") {
                print("  note: \(directory)/authorized_keys does not exist yet: nobody can log in until you add a public key to it")
            }
            fflush(nil)  // stdout may be a pipe: the banner must get out now

            let signal = await signals.next()
            StandardError.write("\(Self.timestamp()) \(signal == SIGINT ? "SIGINT" : "SIGTERM"): stopping (open connections get up to drainTimeoutSeconds, 10 s unless relay.json says otherwise)\n")
            await relay.shutdown()
            StandardError.write("\(Self.timestamp()) relay stopped\n")
        }

        static func timestamp() -> String {
            Date().formatted(.iso8601)
        }
    }
}

/// Unbuffered lines to stderr (the relay's log).
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Turns SIGTERM/SIGINT into an awaitable event instead of process death.
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<Int32>

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        self.sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func next() async -> Int32 {
        for await number in stream { return number }
        return SIGTERM
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
