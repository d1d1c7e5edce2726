/// One HTTP request and its response as the agent's inspector keeps it
/// (issue 14): the heads in full, the first `bodyCaptureLimit` bytes of each
/// body, sizes, timings and who answered. Relay refusals (401, 403, 429,
/// 431, 503 reported on the control channel) and the agent's own 502 pages
/// are exchanges too. Ids are unique within one engine and never reused
/// while it runs, so `burrow replay ID` names one exchange.
public struct HTTPExchange: Sendable, Equatable {
    /// Bytes of each body kept (the rest is counted, not stored).
    public static let bodyCaptureLimit = 64 * 1024

    public var id: UInt64
    /// The mapping's name.
    public var mapping: String
    /// Wall-clock time the request head arrived (seconds since 1970).
    public var time: Double
    /// The visitor's address (`ip:port`) when known.
    public var visitor: String?
    public var method: String
    /// The request target as sent (path and query).
    public var target: String
    /// e.g. "HTTP/1.1".
    public var version: String
    /// In order, as sent (repeated names kept).
    public var requestHeaders: [HTTPHeaderField]
    /// The first `bodyCaptureLimit` bytes of the request body.
    public var requestBody: [UInt8]
    /// The request body's full size as seen so far.
    public var requestBodyBytes: UInt64
    /// nil until the response head is seen (or if none ever came).
    public var status: Int?
    public var reason: String?
    public var responseHeaders: [HTTPHeaderField]
    public var responseBody: [UInt8]
    public var responseBodyBytes: UInt64
    /// From the request head to the response head, in milliseconds.
    public var firstByteMs: Double?
    /// From the request head to the response's last byte, in milliseconds.
    public var totalMs: Double?
    public var answeredBy: RequestAnswerer
    /// The exchange this one replayed, if it is a replay.
    public var replayOf: UInt64?

    public init(id: UInt64, mapping: String, time: Double, visitor: String? = nil, method: String, target: String,
                version: String = "HTTP/1.1", requestHeaders: [HTTPHeaderField] = [], requestBody: [UInt8] = [],
                requestBodyBytes: UInt64 = 0, status: Int? = nil, reason: String? = nil,
                responseHeaders: [HTTPHeaderField] = [], responseBody: [UInt8] = [], responseBodyBytes: UInt64 = 0,
                firstByteMs: Double? = nil, totalMs: Double? = nil, answeredBy: RequestAnswerer = .localService,
                replayOf: UInt64? = nil) {
        self.id = id
        self.mapping = mapping
        self.time = time
        self.visitor = visitor
        self.method = method
        self.target = target
        self.version = version
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.requestBodyBytes = requestBodyBytes
        self.status = status
        self.reason = reason
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.responseBodyBytes = responseBodyBytes
        self.firstByteMs = firstByteMs
        self.totalMs = totalMs
        self.answeredBy = answeredBy
        self.replayOf = replayOf
    }

    /// True when the request body was larger than what was kept.
    public var requestBodyTruncated: Bool { requestBodyBytes > UInt64(requestBody.count) }
    public var responseBodyTruncated: Bool { responseBodyBytes > UInt64(responseBody.count) }

    /// Methods RFC 9110 §9.2.2 calls idempotent: replayed without asking.
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]
    public var isIdempotent: Bool { HTTPExchange.idempotentMethods.contains(method.uppercased()) }
}

/// One header line, name as sent.
public struct HTTPHeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A request to send instead of the recorded one when replaying (edited by
/// the person, e.g. in `$EDITOR`). Framing headers (Content-Length,
/// Transfer-Encoding) are recomputed from `body`.
public struct HTTPReplayRequest: Sendable, Equatable {
    public var method: String
    public var target: String
    public var headers: [HTTPHeaderField]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [HTTPHeaderField], body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// Why the inspector could not do what was asked.
public enum InspectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No exchange with this id (never seen, or dropped from the bounded log).
    case noSuchExchange(UInt64)
    /// No mapping with this name, or it is not an HTTP mapping.
    case noSuchMapping(String)
    /// A POST/PATCH/… replay needs `confirmed: true` (`--yes`, or `y` in the TUI).
    case needsConfirmation(method: String)
    /// The exchange cannot be sent again as recorded (e.g. its body was cut at 64 KiB).
    case notReplayable(reason: String)
    /// The local service did not answer the replay.
    case localServiceFailed(reason: String)

    public var description: String {
        switch self {
        case .noSuchExchange(let id): return "no request with id \(id) (see `burrow requests`)"
        case .noSuchMapping(let name): return "no HTTP mapping named '\(name)' (see `burrow map ls`)"
        case .needsConfirmation(let method): return "\(method) is not idempotent: confirm the replay (--yes)"
        case .notReplayable(let reason): return "cannot replay: \(reason)"
        case .localServiceFailed(let reason): return "the local service did not answer the replay: \(reason)"
        }
    }
}
