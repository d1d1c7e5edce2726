import BurrowCore

/// `STATE_DIR/relay.json`: the relay's limits. Strict like every Burrow file
/// (`"version": 1`, unknown fields rejected with file:line:column), checked at
/// start-up, and only ever read: the relay never rewrites it.
///
/// ```json
/// {
///   "cluster" : {
///     "advertise" : "relay1.example.com:2222",
///     "heartbeatSeconds" : 5,
///     "url" : "postgres://burrow@db.example.com/burrow"
///   },
///   "limits" : {
///     "maxVisitorsPerMapping" : 200,
///     "reservedNames" : [ "www", "mail" ]
///   },
///   "version" : 1
/// }
/// ```
public struct RelaySettingsFile: Sendable, Equatable {
    public var version = 1
    public var limits = RelayLimits()
    /// The fleet this relay belongs to (`burrow serve --cluster` says the same
    /// and wins); nil = a relay of its own.
    public var cluster: Cluster?

    /// `"cluster"`: the fleet's PostgreSQL and how this member is reached.
    public struct Cluster: Sendable, Equatable {
        /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?host=/socket/dir]` (checked by `burrow serve`).
        public var url: String
        /// The SSH endpoint (`host:port`) agents dial for this member; nil = the relay's domain and SSH port.
        public var advertise: String?
        /// How often this member says it is alive; 3 missed = dead.
        public var heartbeatSeconds: Double = 5

        public init(url: String, advertise: String? = nil, heartbeatSeconds: Double = 5) {
            self.url = url
            self.advertise = advertise
            self.heartbeatSeconds = heartbeatSeconds
        }
    }

    public init(limits: RelayLimits = RelayLimits(), cluster: Cluster? = nil) {
        self.limits = limits
        self.cluster = cluster
    }

    /// The file's fields, in the order `burrow serve --help` documents them.
    static let limitKeys: Set<String> = [
        "maxMappingsPerKey", "maxVisitorsPerKey", "maxVisitorsPerMapping", "visitorIdleTimeoutSeconds",
        "bandwidthBytesPerSecond", "newConnectionsPerSecondPerIP", "httpHeadTimeoutSeconds", "httpHeadMaxBytes",
        "sshAuthTimeoutSeconds", "sshMaxAuthAttempts", "sshMaxChannelsPerSession", "sshKeepaliveTimeoutSeconds",
        "drainTimeoutSeconds", "limitReportIntervalSeconds", "reservedNames",
        "maxReservationsPerKey", "sshLoginPenaltySeconds", "sshLoginPenaltyMaxSeconds", "sshMaxUnauthenticatedPerIP", "sshMaxConnectionsPerKey",
        "httpKeepAliveTimeoutSeconds", "udpMaxFlowsPerAddress", "udpMaxFlowsPerMapping", "udpMaxFlowsPerKey",
    ]

    /// Reads `path`; nil when the file does not exist (the defaults apply).
    public static func load(path: String) throws(ConfigError) -> RelaySettingsFile? {
        guard let bytes = try AtomicFile.read(path) else { return nil }
        return try parse(bytes, file: path)
    }

    /// Parses the bytes of a relay.json (`file` names it in errors).
    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigError) -> RelaySettingsFile {
        let root = try JSONFile.parse(bytes, file: file, version: 1, fields: ["limits", "cluster"])
        var settings = RelaySettingsFile()
        if let cluster = try root.object("cluster") {
            try cluster.rejectUnknown(allowed: ["url", "advertise", "heartbeatSeconds"])
            var parsed = Cluster(url: try cluster.requiredString("url"))
            if let advertise = try cluster.string("advertise") {
                guard advertise.contains(":"), (try? Profile.parseEndpoint(advertise)) != nil else {
                    throw cluster.fail("advertise", "'\(advertise)' is not HOST:PORT")
                }
                parsed.advertise = advertise
            }
            if let node = cluster.member("heartbeatSeconds") {
                guard case .number(let text) = node.value, let number = Double(text), number.isFinite else {
                    throw cluster.fail("heartbeatSeconds", "expected a number of seconds, found \(node.kindName)")
                }
                guard (0.2...3600).contains(number) else {
                    throw cluster.fail("heartbeatSeconds", "\(text) s is out of range: use 0.2 to 3600 seconds")
                }
                parsed.heartbeatSeconds = number
            }
            settings.cluster = parsed
        }
        guard let object = try root.object("limits") else { return settings }
        try object.rejectUnknown(allowed: limitKeys)
        var limits = RelayLimits()
        func count(_ key: String, _ range: ClosedRange<Int>, into value: inout Int) throws(ConfigError) {
            guard let number = try object.int(key) else { return }
            guard range.contains(number) else {
                throw object.fail(key, "\(number) is out of range: use \(range.lowerBound) to \(range.upperBound)")
            }
            value = number
        }
        func seconds(_ key: String, _ range: ClosedRange<Double>, into value: inout Double) throws(ConfigError) {
            guard let node = object.member(key) else { return }
            guard case .number(let text) = node.value, let number = Double(text), number.isFinite else {
                throw object.fail(key, "expected a number of seconds, found \(node.kindName)")
            }
            guard range.contains(number) else {
                throw object.fail(key, "\(text) s is out of range: use \(range.lowerBound) to \(range.upperBound) seconds")
            }
            value = number
        }
        try count("maxMappingsPerKey", 1...10_000, into: &limits.maxMappingsPerKey)
        try count("maxVisitorsPerKey", 1...10_000_000, into: &limits.maxVisitorsPerKey)
        try count("maxVisitorsPerMapping", 1...10_000_000, into: &limits.maxVisitorsPerMapping)
        try seconds("visitorIdleTimeoutSeconds", 0.1...604_800, into: &limits.visitorIdleTimeoutSeconds)
        if object.member("bandwidthBytesPerSecond") != nil {
            var cap = 0
            try count("bandwidthBytesPerSecond", 1024...Int(Int64.max / 2), into: &cap)
            limits.bandwidthBytesPerSecond = cap
        }
        try count("newConnectionsPerSecondPerIP", 1...1_000_000, into: &limits.newConnectionsPerSecondPerIP)
        try seconds("httpHeadTimeoutSeconds", 0.1...3600, into: &limits.httpHeadTimeoutSeconds)
        try count("httpHeadMaxBytes", 1024...1_048_576, into: &limits.httpHeadMaxBytes)
        try seconds("httpKeepAliveTimeoutSeconds", 0.1...86_400, into: &limits.httpKeepAliveTimeoutSeconds)
        try count("udpMaxFlowsPerAddress", 1...1_000_000, into: &limits.udpMaxFlowsPerAddress)
        try count("udpMaxFlowsPerMapping", 1...1_000_000, into: &limits.udpMaxFlowsPerMapping)
        try count("udpMaxFlowsPerKey", 1...10_000_000, into: &limits.udpMaxFlowsPerKey)
        try seconds("sshAuthTimeoutSeconds", 0.1...3600, into: &limits.sshAuthTimeoutSeconds)
        try count("sshMaxAuthAttempts", 1...100, into: &limits.sshMaxAuthAttempts)
        try count("maxReservationsPerKey", 1...100_000, into: &limits.maxReservationsPerKey)
        try seconds("sshLoginPenaltySeconds", 0.1...86_400, into: &limits.sshLoginPenaltySeconds)
        try seconds("sshLoginPenaltyMaxSeconds", 0.1...604_800, into: &limits.sshLoginPenaltyMaxSeconds)
        try count("sshMaxUnauthenticatedPerIP", 1...100_000, into: &limits.sshMaxUnauthenticatedPerIP)
        try count("sshMaxConnectionsPerKey", 1...100_000, into: &limits.sshMaxConnectionsPerKey)
        try count("sshMaxChannelsPerSession", 1...1000, into: &limits.sshMaxChannelsPerSession)
        try seconds("sshKeepaliveTimeoutSeconds", 0.1...86_400, into: &limits.sshKeepaliveTimeoutSeconds)
        try seconds("drainTimeoutSeconds", 0...3600, into: &limits.drainTimeoutSeconds)
        try seconds("limitReportIntervalSeconds", 0.1...86_400, into: &limits.limitReportIntervalSeconds)
        if let names = try object.array("reservedNames") {
            var reserved: [String] = []
            for (index, node) in names.enumerated() {
                guard case .string(let name) = node.value else {
                    throw ConfigError.invalidField(
                        file: JSONObjectReader.location(file, node.line, node.column),
                        field: "limits.reservedNames[\(index)]", message: "expected a string, found \(node.kindName)")
                }
                do {
                    try DNSLabel.validate(name)
                } catch {
                    throw ConfigError.invalidField(
                        file: JSONObjectReader.location(file, node.line, node.column),
                        field: "limits.reservedNames[\(index)]", message: error.description)
                }
                reserved.append(name)
            }
            limits.reservedNames = reserved
        }
        settings.limits = limits
        return settings
    }
}
