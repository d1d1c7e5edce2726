import BurrowCore
import NIOCore

/// One mapping's kept exchanges, oldest first, bounded by count and by an
/// estimate of the memory they hold (bodies at their capacity, heads, and a
/// fixed cost per exchange and per field); the oldest go first. A value,
/// kept inside `MappingStats`' lock. Ids grow along the log (they are taken
/// under that lock), so an id is found by binary search.
struct ExchangeLog {
    static let countLimit = 500
    /// 2 MiB per mapping: 20 HTTP mappings stay near 40 MiB even when every
    /// exchange carries 64 KiB bodies (then about 15 are kept per mapping).
    static let byteBudget = 2 << 20

    let countLimit: Int
    let byteBudget: Int
    private struct Kept {
        var exchange: HTTPExchange
        var cost: Int
    }

    private var entries = CircularBuffer<Kept>(initialCapacity: 16)
    /// The estimated memory of what is kept (`cost(of:)` summed).
    private(set) var bytes = 0

    init(countLimit: Int = ExchangeLog.countLimit, byteBudget: Int = ExchangeLog.byteBudget) {
        self.countLimit = countLimit
        self.byteBudget = byteBudget
    }

    var count: Int { entries.count }

    mutating func append(_ exchange: HTTPExchange) {
        let cost = Self.cost(of: exchange)
        entries.append(Kept(exchange: exchange, cost: cost))
        bytes += cost
        evict()
    }

    /// Changes the exchange with `id` if it is still kept.
    mutating func update(id: UInt64, _ change: (inout HTTPExchange) -> Void) {
        guard let index = index(of: id) else { return }
        change(&entries[index].exchange)
        let cost = Self.cost(of: entries[index].exchange)
        bytes += cost - entries[index].cost
        entries[index].cost = cost
        evict()
    }

    func exchange(id: UInt64) -> HTTPExchange? {
        index(of: id).map { entries[$0].exchange }
    }

    /// Newest first.
    func newest(_ limit: Int) -> [HTTPExchange] {
        entries.reversed().prefix(max(0, limit)).map(\.exchange)
    }

    private func index(of id: UInt64) -> CircularBuffer<Kept>.Index? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            let found = entries[entries.index(entries.startIndex, offsetBy: middle)].exchange.id
            if found == id { return entries.index(entries.startIndex, offsetBy: middle) }
            if found < id { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    private mutating func evict() {
        while entries.count > countLimit || (bytes > byteBudget && entries.count > 1) {
            bytes -= entries.removeFirst().cost
        }
    }

    /// What an exchange holds in memory, roughly: bodies at their capacity,
    /// strings at their length, plus fixed costs for the struct and each
    /// field's two strings and allocator overhead.
    static func cost(of exchange: HTTPExchange) -> Int {
        var cost = 320 + exchange.method.utf8.count + exchange.target.utf8.count + exchange.mapping.utf8.count
            + (exchange.visitor?.utf8.count ?? 0) + exchange.version.utf8.count + (exchange.reason?.utf8.count ?? 0)
            + exchange.requestBody.capacity + exchange.responseBody.capacity
        for field in exchange.requestHeaders { cost += 64 + field.name.utf8.count + field.value.utf8.count }
        for field in exchange.responseHeaders { cost += 64 + field.name.utf8.count + field.value.utf8.count }
        return cost
    }
}
