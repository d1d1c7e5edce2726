import BurrowCore

/// The top line: which relay, its state, latency, uptime, version.
public struct HeaderModel: Sendable, Equatable {
    public var relay: String
    public var status: StatusText
    public var rtt: String?
    public var uptime: String?
    public var version: String
    /// Whose engine: "attached to burrow up (pid N)"; nil when this process started it.
    public var engine: String?
    /// The same, for a narrow header: "attached · pid N".
    public var engineShort: String?

    public static func make(_ state: AppState) -> HeaderModel {
        var model = base(state)
        model.engine = state.engineLabel
        model.engineShort = state.engineLabel.map(shortEngineLabel)
        if state.engineStopped != nil {
            model.status = StatusText("✖ the engine stopped; q to quit", .error)
            model.rtt = nil
            model.uptime = nil
        }
        return model
    }

    /// "attached to burrow up (pid 4242)" → "attached · pid 4242".
    static func shortEngineLabel(_ label: String) -> String {
        guard let open = label.lastIndex(of: "("), label.hasSuffix(")") else { return label }
        let inside = label[label.index(after: open)..<label.index(before: label.endIndex)]
        return "\(label.split(separator: " ").first ?? "") · \(inside)"
    }

    static func base(_ state: AppState) -> HeaderModel {
        let tunnels = state.snapshot.tunnels
        let shown = state.tunnelIndex > 0 && state.tunnelIndex <= tunnels.count ? tunnels[state.tunnelIndex - 1] : tunnels.first
        guard let tunnel = shown else {
            // The engine opens a tunnel only for enabled mappings.
            let status = state.mappings.contains(where: \.enabled) ? StatusText("◌ starting", .warning) : StatusText.idle
            return HeaderModel(relay: state.relayLabel, status: status, rtt: nil, uptime: nil, version: state.version)
        }
        let relay = tunnel.profile == EngineSnapshot.embeddedTunnel ? tunnel.relay : "\(tunnel.profile) → \(tunnel.relay)"
        return HeaderModel(
            relay: relay,
            // A tunnel with nothing to serve is idle, whatever the engine calls it.
            status: state.mappings.contains(where: \.enabled) ? StatusText.of(tunnel.state, now: state.now) : StatusText.idle,
            rtt: tunnel.rttMs.map { "rtt " + Format.duration(milliseconds: $0) },
            uptime: tunnel.connectedSince.map { "up " + Format.seconds((state.now - $0).rounded(.down)) },
            version: state.version)
    }
}
