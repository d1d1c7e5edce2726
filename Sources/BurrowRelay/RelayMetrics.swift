import BurrowCore
import Prometheus
import Synchronization

/// The relay's Prometheus metrics (swift-prometheus). Updated at events —
/// a login, a forward granted or removed, a visitor opened or closed, a
/// refusal — never per packet: bytes are added when a visitor closes.
final class RelayMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let agentsOnline: Gauge
    private let visitorsOpen: Gauge
    private let bytesIn: Counter
    private let bytesOut: Counter
    private let handshakesOK: Counter
    private let handshakesFailed: Counter
    private let mappings: [MappingProtocol: Gauge]
    private let visitorsTotal: [MappingProtocol: Counter]
    private let refusals = Mutex<[String: Counter]>([:])

    init() {
        agentsOnline = registry.makeGauge(descriptor: Self.descriptor("agents", "online", "SSH connections logged in with a key right now"))
        visitorsOpen = registry.makeGauge(descriptor: Self.descriptor("visitors", "open", "Visitor connections and UDP flows open right now"))
        bytesIn = registry.makeCounter(descriptor: Self.descriptor("bytes_in", "total", "Bytes from visitors to agents, of visitors that left"))
        bytesOut = registry.makeCounter(descriptor: Self.descriptor("bytes_out", "total", "Bytes from agents to visitors, of visitors that left"))
        let handshakes = Self.descriptor("ssh_handshakes", "total", "SSH logins by result")
        handshakesOK = registry.makeCounter(descriptor: handshakes, labels: [("result", "accepted")])
        handshakesFailed = registry.makeCounter(descriptor: handshakes, labels: [("result", "refused")])
        var mappings: [MappingProtocol: Gauge] = [:]
        var visitors: [MappingProtocol: Counter] = [:]
        for kind in MappingProtocol.allCases {
            mappings[kind] = registry.makeGauge(
                descriptor: Self.descriptor("mappings", "active", "Granted forwards by protocol"), labels: [("protocol", kind.rawValue)])
            visitors[kind] = registry.makeCounter(
                descriptor: Self.descriptor("visitors", "total", "Visitors (UDP: flows) by protocol"), labels: [("protocol", kind.rawValue)])
        }
        self.mappings = mappings
        self.visitorsTotal = visitors
        for reason in RelayMetrics.refusalReasons { _ = refusalCounter(reason) }
    }

    /// The reasons `refused` counts under (others may appear).
    static let refusalReasons = [
        "address_not_allowed", "basic_auth", "unknown_name", "tunnel_offline", "no_sni", "forward_refused", "limit",
    ]

    func login(accepted: Bool) {
        (accepted ? handshakesOK : handshakesFailed).increment()
        if accepted { agentsOnline.increment() }
    }

    func loggedOut() { agentsOnline.decrement() }

    func forwardGranted(_ kind: MappingProtocol) { mappings[kind]?.increment() }
    func forwardRemoved(_ kind: MappingProtocol) { mappings[kind]?.decrement() }

    func visitorOpened(_ kind: MappingProtocol) {
        visitorsOpen.increment()
        visitorsTotal[kind]?.increment()
    }

    func visitorClosed(bytesIn: UInt64, bytesOut: UInt64) {
        visitorsOpen.decrement()
        self.bytesIn.increment(by: Int64(clamping: bytesIn))
        self.bytesOut.increment(by: Int64(clamping: bytesOut))
    }

    func refused(_ reason: String) { refusalCounter(reason).increment() }

    private func refusalCounter(_ reason: String) -> Counter {
        refusals.withLock { counters in
            if let counter = counters[reason] { return counter }
            let counter = registry.makeCounter(
                descriptor: Self.descriptor("refusals", "total", "Visitors and forwards refused, by reason"), labels: [("reason", reason)])
            counters[reason] = counter
            return counter
        }
    }

    /// A fleet member's view (`--cluster`), set at each scrape: whether it
    /// reaches the database, and how many live members it knows. Made on
    /// first use, so a relay of its own shows no fleet metrics.
    func fleet(databaseUp: Bool, members: Int) {
        registry.makeGauge(descriptor: Self.descriptor("fleet_database", "up", "1 while this member reaches the fleet's database"))
            .set(to: databaseUp ? 1.0 : 0.0)
        registry.makeGauge(descriptor: Self.descriptor("fleet_members", "count", "Live members of this relay's fleet, this one included"))
            .set(to: Double(members))
    }

    /// `burrow_NAME_UNIT` with its help line.
    private static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "burrow", metricName: name, unitName: unit, helpText: help)
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

extension Forward.Kind {
    var mappingProtocol: MappingProtocol {
        switch self {
        case .http: return .http
        case .tcp: return .tcp
        case .tls: return .tls
        case .udp: return .udp
        }
    }
}
