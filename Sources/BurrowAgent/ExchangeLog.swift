import BurrowCore
import NIOCore

/// One mapping's kept exchanges, oldest first, bounded by count and by an
/// estimate of the memory they hold (each allocation at its capacity plus
/// the allocator's overhead); the oldest go first. A value, kept inside
/// `MappingStats`' lock. Heads seen by the tap are kept as their raw bytes
/// (one array each instead of two strings per field) and read into fields
/// when an exchange is asked for. Ids grow along the log (they are taken
/// under that lock), so an id is found by binary search.
struct ExchangeLog {
    static let countLimit = 500
    /// 1.5 MiB per mapping (by `cost(of:)`): 500 exchanges with browser-sized
    /// heads (~800 bytes with the relay's forwarding fields) and 1 KiB answers
    /// fit (about 2.8 KiB each); with 64 KiB bodies each way about 11 are
    /// kept. Measured with 20 mappings (scripts/bench_inspect): BENCHMARKS.md.
    static let byteBudget = 3 << 19

    let countLimit: Int
    let byteBudget: Int
    /// One kept exchange as stored.
    struct Kept {
        /// Its header fields are empty when the raw head below is kept instead.
        var exchange: HTTPExchange
        var requestHead: [UInt8]
        var responseHead: [UInt8] = []
        var cost = 0

        /// The exchange with its fields read from the raw heads (done outside the mapping's lock).
        var materialized: HTTPExchange {
            var exchange = self.exchange
            if !requestHead.isEmpty { exchange.requestHeaders = HTTPHeadFields.parse(requestHead) }
            if !responseHead.isEmpty { exchange.responseHeaders = HTTPHeadFields.parse(responseHead) }
            return exchange
        }
    }

    private var entries = CircularBuffer<Kept>(initialCapacity: 16)
    /// The entries' ids, in the same order: searched without copying an entry.
    private var ids = CircularBuffer<UInt64>(initialCapacity: 16)
    /// The estimated memory of what is kept (`cost(of:)` summed).
    private(set) var bytes = 0

    init(countLimit: Int = ExchangeLog.countLimit, byteBudget: Int = ExchangeLog.byteBudget) {
        self.countLimit = countLimit
        self.byteBudget = byteBudget
    }

    var count: Int { entries.count }

    /// `requestHead`: the request's head as received (its fields are read from it).
    mutating func append(_ exchange: HTTPExchange, requestHead: [UInt8] = []) {
        // Built in place: no copy of the exchange (and no reference counting of its parts) on the way in.
        let cost = Self.cost(of: exchange) + Self.cost(of: requestHead)
        entries.append(Kept(exchange: exchange, requestHead: requestHead, cost: cost))
        ids.append(exchange.id)
        bytes += cost
        evict()
    }

    /// Changes the exchange with `id` if it is still kept; `responseHead`: the answer's head as received.
    /// In place (`CircularBuffer.modify`): no copy of the exchange, no reference counting of its parts.
    mutating func update(id: UInt64, responseHead: [UInt8]? = nil, _ change: (inout HTTPExchange) -> Void) {
        guard let index = index(of: id) else { return }
        let delta = entries.modify(index) { kept in
            change(&kept.exchange)
            if let responseHead { kept.responseHead = responseHead }
            let cost = Self.cost(of: kept.exchange) + Self.cost(of: kept.requestHead) + Self.cost(of: kept.responseHead)
            defer { kept.cost = cost }
            return cost - kept.cost
        }
        bytes += delta
        evict()
    }

    func exchange(id: UInt64) -> HTTPExchange? {
        kept(id: id)?.materialized
    }

    /// Newest first.
    func newest(_ limit: Int) -> [HTTPExchange] {
        newestKept(limit).map(\.materialized)
    }

    /// As stored (copies of references; the fields are not read yet).
    func kept(id: UInt64) -> Kept? {
        index(of: id).map { entries[$0] }
    }

    /// As stored, newest first.
    func newestKept(_ limit: Int) -> [Kept] {
        Array(entries.reversed().prefix(max(0, limit)))
    }

    private func index(of id: UInt64) -> CircularBuffer<Kept>.Index? {
        // Most often the newest (a response to the latest request).
        if ids.last == id { return entries.index(before: entries.endIndex) }
        var low = 0
        var high = ids.count
        while low < high {
            let middle = (low + high) / 2
            let found = ids[ids.index(ids.startIndex, offsetBy: middle)]
            if found == id { return entries.index(entries.startIndex, offsetBy: middle) }
            if found < id { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    private mutating func evict() {
        while entries.count > countLimit || (bytes > byteBudget && entries.count > 1) {
            bytes -= entries.removeFirst().cost
            ids.removeFirst()
        }
    }

    /// What an exchange holds in memory: the struct in the ring, and each
    /// heap allocation (strings over 15 bytes, arrays) at its capacity plus
    /// the allocator's and Swift's headers.
    static func cost(of exchange: HTTPExchange) -> Int {
        var total = MemoryLayout<HTTPExchange>.stride + 16
        total += cost(of: exchange.method) + cost(of: exchange.target) + cost(of: exchange.mapping) + cost(of: exchange.version)
        if let visitor = exchange.visitor { total += cost(of: visitor) }
        if let reason = exchange.reason { total += cost(of: reason) }
        total += cost(of: exchange.requestBody) + cost(of: exchange.responseBody)
        total += cost(of: exchange.requestHeaders) + cost(of: exchange.responseHeaders)
        return total
    }

    static func cost(of fields: [HTTPHeaderField]) -> Int {
        guard !fields.isEmpty else { return 0 }
        var total = allocationOverhead + fields.capacity * MemoryLayout<HTTPHeaderField>.stride
        for field in fields { total += cost(of: field.name) + cost(of: field.value) }
        return total
    }

    /// Swift's array or string header and malloc's own.
    static let allocationOverhead = 48

    static func cost(of bytes: [UInt8]) -> Int {
        bytes.capacity == 0 ? 0 : allocationOverhead + bytes.capacity
    }

    /// Small strings (up to 15 UTF-8 bytes) live inside the value.
    static func cost(of text: String) -> Int {
        text.utf8.count <= 15 ? 0 : allocationOverhead + text.utf8.count
    }
}
