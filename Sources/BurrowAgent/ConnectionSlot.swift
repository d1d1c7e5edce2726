import BurrowCore

/// One of a tunnel's SSH connections to its relay (issue 15: an agent keeps
/// several), as `Tunnel` holds it across reconnects: everything the tunnel
/// knows of that connection in one value, instead of one collection per
/// field keyed by the slot's number.
struct ConnectionSlot {
    /// The connection's state; the tunnel is online while any slot is.
    var state: TunnelState
    /// The session on the current connection; nil between connections.
    var session: TunnelSession?
    /// When the current connection came up (wall-clock seconds); nil while down.
    var since: Double?
    /// The slot has been connected before, so its next connection is a reconnect.
    var everConnected = false
    /// The task that keeps the slot connected while the tunnel runs.
    var task: Task<Void, Never>?

    init(state: TunnelState) {
        self.state = state
    }
}
