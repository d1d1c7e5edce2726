import BurrowCore

/// One row of the tunnels pane.
public struct TunnelRow: Sendable, Equatable {
    public var name: String
    public var relay: String
    public var status: StatusText
    public var rtt: String
    public var uptime: String
    public var mappings: String
    public var traffic: String
    public var selected: Bool

    public static func make(_ state: AppState) -> [TunnelRow] {
        // Which tunnel each rule goes through, from the file (as the header
        // judges "idle"), so both agree the moment a mapping is switched off.
        let enabledTunnels = Set(state.allMappingRows.filter(\.mapping.enabled).map(\.tunnel))
        return state.snapshot.tunnels.enumerated().map { offset, tunnel in
            let mine = state.snapshot.mappings.filter { $0.tunnel == tunnel.profile }
            let online = mine.filter { $0.state == .online }.count
            let rate = mine.reduce(0) { $0 + $1.rateIn1s + $1.rateOut1s }
            var status = enabledTunnels.contains(tunnel.profile) ? StatusText.of(tunnel.state, now: state.now) : StatusText.idle
            // A fleet says how many of its relays are connected: `online · 2/3 relays`.
            if let relays = tunnel.relays, enabledTunnels.contains(tunnel.profile) {
                status.text += " · \(relays.description)"
                if relays.serving < relays.of, status.role == .online { status.role = .warning }
            } else if let connections = tunnel.connections, connections.up < connections.total, status.role == .online,
                      enabledTunnels.contains(tunnel.profile) {
                // One relay over several SSH connections (issue 15): said only while
                // one of them is down (`online · 1/2 connections`), in warning colour.
                status.text += " · \(connections.description)"
                status.role = .warning
            }
            return TunnelRow(
                name: tunnel.profile,
                relay: tunnel.relay,
                status: status,
                rtt: tunnel.rttMs.map { Format.duration(milliseconds: $0) } ?? "–",
                uptime: tunnel.connectedSince.map { Format.seconds((state.now - $0).rounded(.down)) } ?? "–",
                mappings: "\(online)/\(mine.count) online",
                traffic: Format.rate(rate),
                selected: state.tunnelIndex == offset + 1)
        }
    }
}
