import BurrowConfig
import NIOCore
import NIOSSH
import Synchronization

/// What every session and every visitor handler of one relay shares.
package final class RelayContext: Sendable {
    let configuration: RelayConfiguration
    let hostKey: NIOSSHPrivateKey
    let authorizedKeys: AuthorizedKeys
    let reservations: any ReservationBackend
    let registry = ForwardRegistry()
    let metrics = RelayMetrics()
    /// The HTTP port actually bound (the configuration may say 0).
    let httpPort = Atomic<Int>(0)
    /// The TLS port actually bound (0 = no TLS listener).
    let tlsPort = Atomic<Int>(0)
    /// The metrics port actually bound (0 = none).
    let metricsPort = Atomic<Int>(0)
    /// Visitors connected right now, for the drain at shutdown.
    let openVisitors = Atomic<Int>(0)
    /// False once shutdown began: listeners refuse new visitors.
    let accepting = Atomic<Bool>(true)
    private let nextID = Atomic<UInt64>(1)
    /// Open visitors per key and per mapping (`maxVisitorsPerKey`, `maxVisitorsPerMapping`).
    let visitorGate: VisitorGate
    /// New connections per visitor IP (`newConnectionsPerSecondPerIP`).
    let connectionRate: ConnectionRateLimiter
    /// Forwards per key (`maxMappingsPerKey`).
    let keyLedger = KeyLedger()
    /// Logs (and tells agents) each limit that bites, once per interval.
    let limitReporter: LimitReporter
    let reservedNames: Set<String>
    /// Failed SSH logins per source address (`sshLoginPenaltySeconds`).
    let loginPenalties: LoginPenaltyBox
    /// SSH connections not logged in yet, per source address (`sshMaxUnauthenticatedPerIP`).
    let unauthenticated: ConnectionCounts
    /// Logged-in SSH connections per key fingerprint (`sshMaxConnectionsPerKey`).
    let keyConnections: ConnectionCounts

    package var limits: RelayLimits { configuration.limits }

    package init(configuration: RelayConfiguration, hostKey: NIOSSHPrivateKey, reservations: any ReservationBackend) {
        self.configuration = configuration
        self.hostKey = hostKey
        self.reservations = reservations
        let log = configuration.log ?? { _ in }
        let limits = configuration.limits
        self.visitorGate = VisitorGate(limits: limits)
        self.connectionRate = ConnectionRateLimiter(perSecond: limits.newConnectionsPerSecondPerIP)
        self.limitReporter = LimitReporter(interval: .milliseconds(Int64(limits.limitReportIntervalSeconds * 1000)), log: log)
        self.reservedNames = Set(limits.reservedNames)
        self.loginPenalties = LoginPenaltyBox(
            base: .fromSeconds(limits.sshLoginPenaltySeconds), maximum: .fromSeconds(limits.sshLoginPenaltyMaxSeconds))
        self.unauthenticated = ConnectionCounts(maximum: limits.sshMaxUnauthenticatedPerIP)
        self.keyConnections = ConnectionCounts(maximum: limits.sshMaxConnectionsPerKey)
        self.authorizedKeys = AuthorizedKeys(path: configuration.stateDirectory + "/authorized_keys", log: log)
    }

    /// Why `/healthz` should answer 503, or nil: shutting down, or the
    /// fleet's shared state unreachable (a load balancer then drains this member).
    var unhealthyReason: String? {
        if !accepting.load(ordering: .relaxed) { return "shutting down" }
        return configuration.fleet?.trouble
    }

    /// Sends the fleet's live members to every agent on a control channel.
    func announceFleet(_ relays: [String]) {
        for session in registry.sessions {
            session.run { $0.controlChannel?.send(.fleet(relays: relays)) }
        }
    }

    func log(_ line: String) {
        configuration.log?(line)
    }

    /// Who a key belongs to: `owner:NAME` for a key with `burrow-owner="NAME"`
    /// in `authorized_keys`, else the key's own fingerprint. Keys of one
    /// owner share reservations and pools; no I/O (the cached file).
    func owner(ofKey fingerprint: String) -> String {
        authorizedKeys.owner(ofFingerprint: fingerprint).map { "owner:" + $0 } ?? fingerprint
    }

    func makeID() -> UInt64 {
        nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Counts a visitor until its channel closes.
    func track(visitor channel: any Channel) {
        openVisitors.wrappingAdd(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { _ in
            self.openVisitors.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    /// Applies `newConnectionsPerSecondPerIP` to a just-accepted visitor:
    /// nil lets it in; otherwise the HTTP page to refuse it with (a TCP
    /// visitor is simply closed). The log says so once per interval per address.
    func refuseByRate(_ channel: any Channel, port: String) -> String? {
        let address = channel.remoteAddress?.ipAddress ?? "?"
        guard !connectionRate.allow(address) else { return nil }
        let rate = limits.newConnectionsPerSecondPerIP
        limitReporter.report(
            limit: "newConnectionsPerSecondPerIP", subject: address,
            "\(address) opened more than \(rate) connections per second on the \(port) port; refusing the excess")
        return HTTPErrorPage.tooManyRequests(perSecond: rate)
    }
}
