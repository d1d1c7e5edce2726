import TerminalUI

/// How the header line shares its width. The state is what people look at
/// first, so it is never cut while anything else can give way: first the
/// theme and version go, then the uptime, then the round-trip time, then
/// the engine label shortens ("attached · pid N") and goes, then the relay
/// name shrinks (to `minimumRelay`), and only then the state.
struct HeaderFit: Equatable {
    /// Widths for the relay and the state texts (without their trailing space).
    var relay: Int
    var status: Int
    /// The engine label (as it fits), rtt and uptime parts that fit, in order.
    var extras: [String]
    /// Theme and version, right-aligned, when they fit.
    var right: String?

    static let minimumRelay = 12
    /// " burrow " + "│ " and the "│ " before the state.
    static let fixed = 8 + 2 + 2

    init(width: Int, model: HeaderModel, right: String) {
        let relayWanted = TextWidth.of(model.relay)
        let statusWanted = TextWidth.of(model.status.text)
        var engine = model.engine
        var extras = [model.rtt, model.uptime].compactMap { $0 }
        var right: String? = right
        func needed(relay: Int) -> Int {
            Self.fixed + relay + 1 + statusWanted + 1
                + ([engine].compactMap { $0 } + extras).reduce(0) { $0 + 2 + TextWidth.of($1) + 1 } + (right.map(TextWidth.of) ?? 0)
        }
        if needed(relay: relayWanted) > width { right = nil }
        while needed(relay: relayWanted) > width, !extras.isEmpty { extras.removeLast() }
        let smallestRelay = min(relayWanted, Self.minimumRelay)
        if needed(relay: relayWanted) > width { engine = model.engineShort }
        if needed(relay: smallestRelay) > width { engine = nil }
        let relayRoom = width - (needed(relay: 0))
        let relay = max(smallestRelay, min(relayWanted, relayRoom))
        self.relay = relay
        self.status = max(1, min(statusWanted, width - Self.fixed - relay - 2))
        self.extras = [engine].compactMap { $0 } + extras
        self.right = right
    }
}
