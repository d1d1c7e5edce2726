/// A mapping's traffic as its agent counts it (`MappingStats` fills it at
/// the UI's refresh rate, never per packet). Codable as the API's mapping
/// fields, which sit flat in the mapping's object beside its name and state.
public struct MappingTraffic: Sendable, Equatable, Codable {
    public var openVisitors = 0
    public var totalVisitors = 0
    /// Bytes from visitors to the local service.
    public var bytesIn: UInt64 = 0
    /// Bytes from the local service to visitors.
    public var bytesOut: UInt64 = 0
    /// Bytes per second over the last 1 s and 10 s.
    public var rateIn1s = 0.0
    public var rateOut1s = 0.0
    public var rateIn10s = 0.0
    public var rateOut10s = 0.0
    /// New visitors per second averaged over 1 and 5 minutes.
    public var visitorsPerSecond1m = 0.0
    public var visitorsPerSecond5m = 0.0
    /// Visitor duration percentiles in milliseconds (closed visitors).
    public var durationP50Ms: Double?
    public var durationP90Ms: Double?
    public var durationP99Ms: Double?
    /// Bytes per second (in + out) for each of the last 60 seconds, oldest first.
    public var history: [Double] = []
    /// Latest visitors, newest first (at most 50).
    public var recentVisitors: [VisitorRecord] = []
    /// Latest HTTP requests, newest first (at most 50; HTTP mappings only).
    public var recentRequests: [HTTPRequestRecord] = []

    /// No traffic yet. (A constant rather than a public `init()`, so the
    /// memberwise initialiser, every field defaulted, stays for the tests.)
    public static let empty = MappingTraffic()
}
