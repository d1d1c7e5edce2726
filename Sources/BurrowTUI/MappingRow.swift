import BurrowCore

/// One row of the mappings table, as text per column.
public struct MappingRow: Sendable, Equatable {
    public var name: String
    public var proto: String
    public var local: String
    public var url: String
    public var status: StatusText
    public var visitors: String
    public var rate: String
    public var history: [Double]
    public var dimmed: Bool

    public static func make(_ source: MappingRowSource) -> MappingRow {
        let live = source.live
        var status: StatusText = source.mapping.enabled ? StatusText.of(live?.state, serviceDown: live?.localServiceDown ?? false, https: live?.https) : StatusText("disabled", .muted)
        // A pooled mapping online says how many of its pool take visitors: `online · pool 2/3`.
        if source.mapping.enabled, case .online = live?.state, let pool = live?.pool {
            status.text += " · \(pool.description)"
            if pool.online < pool.members, status.role == .online { status.role = .warning }
        }
        // A fleet's mapping says on how many relays it is registered: `online · 2/3 relays`.
        if source.mapping.enabled, let relays = live?.relays, live?.state == .online || live?.state == .pending {
            status.text += " · \(relays.description)"
            if relays.serving < relays.of, status.role == .online { status.role = .warning }
        }
        let url: String
        if let publicURL = live?.publicURL {
            url = publicURL.description
        } else if case .refused(let reason) = live?.state {
            url = "refused: \(reason)"
        } else {
            url = source.mapping.enabled ? "…" : "–"
        }
        return MappingRow(
            name: source.mapping.name,
            proto: source.mapping.protocol.rawValue,
            local: source.mapping.local.description,
            url: url,
            status: status,
            visitors: "\(live?.openVisitors ?? 0)/\(live?.totalVisitors ?? 0)",
            rate: Format.compactRate(live?.rateIn1s ?? 0) + "/" + Format.compactRate(live?.rateOut1s ?? 0),
            history: live?.history ?? [],
            dimmed: !source.mapping.enabled)
    }
}
