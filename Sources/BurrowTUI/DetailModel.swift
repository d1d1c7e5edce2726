import BurrowCore

/// The detail pane of the selected mapping: an ngrok-like stats row, bytes,
/// latest visitors and (HTTP) latest requests.
public struct DetailModel: Sendable, Equatable {
    public struct Visitor: Sendable, Equatable {
        public var address: String, when: String, duration: String, bytes: String
    }
    public struct Request: Sendable, Equatable {
        public var time: String, method: String, path: String, status: String, statusRole: ThemeRole, duration: String, size: String
    }

    public var title: String
    public var stats: [(label: String, value: String)]
    public var bytes: String
    public var history: [Double]
    public var visitors: [Visitor]
    public var requests: [Request]?

    public static func == (a: DetailModel, b: DetailModel) -> Bool {
        a.title == b.title && a.stats.map(\.label) == b.stats.map(\.label) && a.stats.map(\.value) == b.stats.map(\.value)
            && a.bytes == b.bytes && a.history == b.history && a.visitors == b.visitors && a.requests == b.requests
    }

    public static func make(_ source: MappingRowSource, now: Double) -> DetailModel {
        let mapping = source.mapping
        let live = source.live
        let url = (live?.publicURL?.description ?? "(no public URL yet)") + (live?.alsoURL.map { " (also \($0))" } ?? "")
        let stats: [(String, String)] = [
            ("total", String(live?.totalVisitors ?? 0)),
            ("open", String(live?.openVisitors ?? 0)),
            ("rt1", Format.twoDecimals(live?.visitorsPerSecond1m ?? 0) + "/s"),
            ("rt5", Format.twoDecimals(live?.visitorsPerSecond5m ?? 0) + "/s"),
            ("p50", live?.durationP50Ms.map { Format.duration(milliseconds: $0) } ?? "–"),
            ("p90", live?.durationP90Ms.map { Format.duration(milliseconds: $0) } ?? "–"),
        ]
        // The same last-second rates as the table's IN/OUT column.
        let bytes = "in \(Format.bytes(live?.bytesIn ?? 0)) (\(Format.rate(live?.rateIn1s ?? 0)))   "
            + "out \(Format.bytes(live?.bytesOut ?? 0)) (\(Format.rate(live?.rateOut1s ?? 0)))"
        let visitors = (live?.recentVisitors ?? []).map { record in
            Visitor(address: record.address, when: Format.ago(record.startedAt, now: now),
                    duration: record.durationMs.map { Format.duration(milliseconds: $0) } ?? "open",
                    bytes: Format.bytes(record.bytesIn + record.bytesOut))
        }
        let requests: [Request]? = mapping.protocol == .http ? (live?.recentRequests ?? []).map { record in
            Request(time: Format.clock(record.time), method: record.method,
                    // Who answered, when it was not the local service: the agent's 502, the relay's 401/403/503.
                    path: record.answeredBy == .localService ? record.path : "[\(record.answeredBy.rawValue)] \(record.path)",
                    status: record.status.map(String.init) ?? "…", statusRole: ThemeRole.forStatus(record.status),
                    duration: record.durationMs.map { Format.duration(milliseconds: $0) } ?? "",
                    size: record.responseBytes.map { Format.bytes($0) } ?? "")
        } : nil
        // Access and address rules follow the route (never a password or hash).
        let rules = mapping.rulesSummary.map { "   [\($0)]" } ?? ""
        return DetailModel(title: "\(mapping.name)  \(url) → \(mapping.local)\(rules)", stats: stats, bytes: bytes,
                           history: live?.history ?? [], visitors: visitors, requests: requests)
    }
}
