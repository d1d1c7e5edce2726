import BurrowCore
import BurrowNIO
import Histogram
import NIOCore
import Synchronization

/// Live statistics of one mapping. The data path touches only each visitor's
/// `ByteTally` (relaxed atomics, added by `ByteCountingHandler`); the mutex here is taken once per
/// visitor, once per HTTP message and once per second by the sampler — never
/// per packet. `fill(_:now:)` builds the numbers of a `MappingSnapshot`.
/// With the inspector on, the same lock keeps the mapping's `ExchangeLog`.
final class MappingStats: Sendable {
    static let recentLimit = 50
    /// One sample a second, kept for 5 minutes (visitors/s over 5 min).
    static let sampleLimit = 301

    /// Ids and whether exchanges are kept (one per engine).
    let inspector: Inspector
    private let state: Mutex<State>

    private struct OpenVisitor {
        var address: String
        var startedAt: Double
        var startedMonotonic: ContinuousClock.Instant
        var tally: ByteTally
    }

    /// A response's end, when it is recorded together with its head.
    private struct ResponseEnd {
        var bodyBytes: UInt64
        /// Inspector on: the body's first bytes; `totalMs` the time from the request's head.
        var body: [UInt8]?
        var totalMs: Double?
        var now: Double
    }

    private struct Sample {
        var time: Double
        var bytesIn: UInt64
        var bytesOut: UInt64
        var visitors: Int
    }

    private struct State {
        var nextID: UInt64 = 0
        var open: [UInt64: OpenVisitor] = [:]
        var totalVisitors = 0
        var closedBytesIn: UInt64 = 0
        var closedBytesOut: UInt64 = 0
        /// Visitor durations in microseconds.
        var durations = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var recentVisitors = CircularBuffer<VisitorRecord>(initialCapacity: MappingStats.recentLimit)
        var exchanges: ExchangeLog
        var recentRequests = CircularBuffer<(id: UInt64, record: HTTPRequestRecord)>(initialCapacity: MappingStats.recentLimit)
        var samples = CircularBuffer<Sample>(initialCapacity: MappingStats.sampleLimit)
        var localServiceDown = false
        /// `untilNoOpenVisitors()` callers, woken when the last visitor closes (or when cancelled).
        var idleWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0

        /// A response's head (and, with `end`, its end) in the request list and the kept exchange.
        mutating func recordResponse(id: UInt64, status: Int, answeredBy: RequestAnswerer, head: HTTPMessageScanner.Head?,
                                     firstByteMs: Double?, end: ResponseEnd?) {
            recentRequests.updateNewest(where: { $0.id == id }) { entry in
                entry.record.status = status
                entry.record.answeredBy = answeredBy
                if let end {
                    entry.record.responseBytes = end.bodyBytes
                    entry.record.durationMs = end.totalMs ?? max(0, (end.now - entry.record.time) * 1000)
                }
            }
            guard let head else { return }
            exchanges.update(id: id, responseHead: head.raw) {
                $0.status = status
                $0.reason = head.reason
                $0.answeredBy = answeredBy
                $0.firstByteMs = firstByteMs
                if let end, let body = end.body {
                    $0.responseBody = body
                    $0.responseBodyBytes = end.bodyBytes
                    $0.totalMs = end.totalMs
                }
            }
        }

        func totals() -> (bytesIn: UInt64, bytesOut: UInt64) {
            var bytesIn = closedBytesIn
            var bytesOut = closedBytesOut
            for visitor in open.values {
                bytesIn &+= visitor.tally.readBytes
                bytesOut &+= visitor.tally.writtenBytes
            }
            return (bytesIn, bytesOut)
        }
    }

    init(inspector: Inspector = Inspector(), exchangeLog: ExchangeLog = ExchangeLog()) {
        self.inspector = inspector
        state = Mutex(State(exchanges: exchangeLog))
    }

    // MARK: Visitors (once per connection)

    /// Registers a new visitor; its data path counts into the returned tally
    /// (read: visitor → local service, written: back).
    func visitorOpened(address: String) -> (id: UInt64, tally: ByteTally) {
        let tally = ByteTally()
        let now = WallClock.now()
        let start = ContinuousClock.now
        let id = state.withLock { state in
            state.nextID += 1
            state.totalVisitors += 1
            state.open[state.nextID] = OpenVisitor(address: address, startedAt: now, startedMonotonic: start, tally: tally)
            return state.nextID
        }
        return (id, tally)
    }

    func visitorClosed(id: UInt64) {
        let end = ContinuousClock.now
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard let visitor = state.open.removeValue(forKey: id) else { return [] }
            let bytesIn = visitor.tally.readBytes
            let bytesOut = visitor.tally.writtenBytes
            state.closedBytesIn &+= bytesIn
            state.closedBytesOut &+= bytesOut
            let elapsed = end - visitor.startedMonotonic
            let micros = max(1, TimeAmount(elapsed).nanoseconds / 1000)
            _ = state.durations.record(UInt64(micros))
            state.recentVisitors.append(keepingAtMost: MappingStats.recentLimit, VisitorRecord(
                address: visitor.address, startedAt: visitor.startedAt,
                durationMs: Double(micros) / 1000, bytesIn: bytesIn, bytesOut: bytesOut))
            guard state.open.isEmpty else { return [] }
            defer { state.idleWaiters = [:] }
            return Array(state.idleWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once no visitor is open (at once if none is), or when the task is cancelled.
    func untilNoOpenVisitors() async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state -> Bool in
                    guard !state.open.isEmpty, !Task.isCancelled else { return false }
                    state.idleWaiters[id] = continuation
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.idleWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    // MARK: HTTP requests (once per message head)

    /// A request head arrived; `exchange` (inspector on) is kept with the
    /// returned id, its fields read from `head` (the raw head) when asked
    /// for. Ids come from the engine's `Inspector` either way.
    func requestStarted(method: String, path: String, exchange: HTTPExchange? = nil, head: [UInt8] = []) -> UInt64 {
        let now = WallClock.now()
        return state.withLock { state in
            let id = inspector.nextID()
            if var exchange {
                exchange.id = id
                exchange.time = now
                state.exchanges.append(exchange, requestHead: head)
            }
            state.recentRequests.append(keepingAtMost: MappingStats.recentLimit, (id, HTTPRequestRecord(
                id: exchange == nil ? 0 : id, time: now, method: method, path: path, visitor: exchange?.visitor)))
            return id
        }
    }

    /// The request's body ended (inspector on): its first bytes and full size.
    func requestEnded(request id: UInt64, body: [UInt8], bodyBytes: UInt64) {
        state.withLock { state in
            state.exchanges.update(id: id) {
                $0.requestBody = body
                $0.requestBodyBytes = bodyBytes
            }
        }
    }

    /// `head` (inspector on) adds the reason, the raw head and time to first byte to the kept exchange.
    func responseHead(request id: UInt64, status: Int, answeredBy: RequestAnswerer = .localService,
                      head: HTTPMessageScanner.Head? = nil, firstByteMs: Double? = nil) {
        state.withLock { state in
            state.recordResponse(id: id, status: status, answeredBy: answeredBy, head: head, firstByteMs: firstByteMs, end: nil)
        }
    }

    /// `responseHead` and `responseEnded` at once, under one lock (a response
    /// whose head and end the tap saw in one read: most small answers).
    func response(request id: UInt64, status: Int, answeredBy: RequestAnswerer, head: HTTPMessageScanner.Head?, firstByteMs: Double?,
                  bodyBytes: UInt64, body: [UInt8]?, totalMs: Double?) {
        let end = ResponseEnd(bodyBytes: bodyBytes, body: body, totalMs: totalMs, now: WallClock.now())
        state.withLock { state in
            state.recordResponse(id: id, status: status, answeredBy: answeredBy, head: head, firstByteMs: firstByteMs, end: end)
        }
    }

    /// A request the relay refused itself (it never reached the tunnel).
    func requestRefusedByRelay(_ request: RefusedRequest) {
        let now = WallClock.now()
        let visitor = request.visitor.isEmpty ? nil : request.visitor
        state.withLock { state in
            let id = inspector.nextID()
            if inspector.isOn {
                state.exchanges.append(HTTPExchange(
                    id: id, mapping: request.name, time: now, visitor: visitor, method: request.method, target: request.target,
                    status: request.status, reason: HTTPExchange.reason(forRefusal: request.status), firstByteMs: 0, totalMs: 0,
                    answeredBy: .relay))
            }
            state.recentRequests.append(keepingAtMost: MappingStats.recentLimit, (id, HTTPRequestRecord(
                id: inspector.isOn ? id : 0, time: now, method: request.method, path: request.target, status: request.status,
                durationMs: 0, responseBytes: nil, answeredBy: .relay, visitor: visitor)))
        }
    }

    /// Each dial to the local service reports here: a failure marks the
    /// service down until a dial succeeds.
    func localDialed(succeeded: Bool) {
        state.withLock { $0.localServiceDown = !succeeded }
    }

    /// The response ended; `body` and `totalMs` (inspector on) complete the kept exchange.
    func responseEnded(request id: UInt64, bodyBytes: UInt64, body: [UInt8]? = nil, totalMs: Double? = nil) {
        let now = WallClock.now()
        state.withLock { state in
            state.recentRequests.updateNewest(where: { $0.id == id }) { entry in
                entry.record.responseBytes = bodyBytes
                entry.record.durationMs = totalMs ?? max(0, (now - entry.record.time) * 1000)
            }
            guard let body else { return }
            state.exchanges.update(id: id) {
                $0.responseBody = body
                $0.responseBodyBytes = bodyBytes
                $0.totalMs = totalMs
            }
        }
    }

    /// A finished exchange made by the agent itself (a replay): kept with a fresh id and listed.
    func record(_ exchange: HTTPExchange) -> HTTPExchange {
        state.withLock { state in
            var exchange = exchange
            exchange.id = inspector.nextID()
            state.exchanges.append(exchange)
            state.recentRequests.append(keepingAtMost: MappingStats.recentLimit, (exchange.id, HTTPRequestRecord(
                id: exchange.id, time: exchange.time, method: exchange.method, path: exchange.target, status: exchange.status,
                durationMs: exchange.totalMs, responseBytes: exchange.responseBodyBytes, answeredBy: exchange.answeredBy)))
            return exchange
        }
    }

    // MARK: Inspector queries

    /// The kept exchanges, newest first (heads are read into fields after the lock is released).
    func exchanges(limit: Int) -> [HTTPExchange] {
        state.withLock { $0.exchanges.newestKept(limit) }.map(\.materialized)
    }

    func exchange(id: UInt64) -> HTTPExchange? {
        state.withLock { $0.exchanges.kept(id: id) }?.materialized
    }

    // MARK: Sampling and snapshots

    /// Called once a second: remembers the totals, for rates and the sparkline.
    func sample(now: Double = WallClock.now()) {
        state.withLock { state in
            let totals = state.totals()
            state.samples.append(keepingAtMost: MappingStats.sampleLimit, Sample(time: now, bytesIn: totals.bytesIn, bytesOut: totals.bytesOut, visitors: state.totalVisitors))
        }
    }

    var openVisitorCount: Int { state.withLock { $0.open.count } }

    /// Fills the statistics fields of `snapshot`.
    func fill(_ snapshot: inout MappingSnapshot, now: Double = WallClock.now()) {
        state.withLock { state in
            let totals = state.totals()
            snapshot.openVisitors = state.open.count
            snapshot.totalVisitors = state.totalVisitors
            snapshot.localServiceDown = state.localServiceDown
            snapshot.bytesIn = totals.bytesIn
            snapshot.bytesOut = totals.bytesOut
            let current = Sample(time: now, bytesIn: totals.bytesIn, bytesOut: totals.bytesOut, visitors: state.totalVisitors)

            // Rates: against the newest sample at least `window` seconds old
            // (or the oldest one while the history is shorter).
            func reference(_ window: Double) -> Sample? {
                var chosen: Sample?
                for sample in state.samples.reversed() {
                    chosen = sample
                    if now - sample.time >= window - 0.05 { break }
                }
                return chosen
            }
            func rate(_ window: Double, _ value: (Sample) -> Double) -> Double {
                guard let old = reference(window) else { return 0 }
                let elapsed = now - old.time
                guard elapsed > 0.2 else { return 0 }
                return max(0, (value(current) - value(old)) / elapsed)
            }
            snapshot.rateIn1s = rate(1) { Double($0.bytesIn) }
            snapshot.rateOut1s = rate(1) { Double($0.bytesOut) }
            snapshot.rateIn10s = rate(10) { Double($0.bytesIn) }
            snapshot.rateOut10s = rate(10) { Double($0.bytesOut) }
            snapshot.visitorsPerSecond1m = rate(60) { Double($0.visitors) }
            snapshot.visitorsPerSecond5m = rate(300) { Double($0.visitors) }

            if state.durations.totalCount > 0 {
                snapshot.durationP50Ms = Double(state.durations.valueAtPercentile(50)) / 1000
                snapshot.durationP90Ms = Double(state.durations.valueAtPercentile(90)) / 1000
                snapshot.durationP99Ms = Double(state.durations.valueAtPercentile(99)) / 1000
            }

            // The sparkline: bytes (in + out) moved in each of the last 60 seconds.
            let samples = state.samples.suffix(61)
            var history: [Double] = []
            history.reserveCapacity(60)
            var previous: Sample?
            for sample in samples {
                if let previous {
                    history.append(Double((sample.bytesIn &- previous.bytesIn) &+ (sample.bytesOut &- previous.bytesOut)))
                }
                previous = sample
            }
            snapshot.history = Array(repeating: 0, count: max(0, 60 - history.count)) + history

            var visitors: [VisitorRecord] = state.open.values
                .sorted { $0.startedAt > $1.startedAt }
                .prefix(MappingStats.recentLimit)
                .map { VisitorRecord(address: $0.address, startedAt: $0.startedAt,
                                     bytesIn: $0.tally.readBytes,
                                     bytesOut: $0.tally.writtenBytes) }
            visitors += state.recentVisitors.reversed()
            snapshot.recentVisitors = Array(visitors.sorted { $0.startedAt > $1.startedAt }.prefix(MappingStats.recentLimit))
            snapshot.recentRequests = state.recentRequests.reversed().map(\.record)
        }
    }
}

extension HTTPExchange {
    /// The reason phrase of a status the relay refuses with.
    fileprivate static func reason(forRefusal status: Int) -> String? {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 408: "Request Timeout"
        case 421: "Misdirected Request"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: nil
        }
    }
}
