import BurrowCore
import Testing

@testable import BurrowAgent

/// The inspector's per-mapping log as a value: the count and byte bounds
/// evict the oldest, updates find their exchange by id.
@Suite struct ExchangeLogTests {
    private func exchange(_ id: UInt64, body: Int = 0) -> HTTPExchange {
        HTTPExchange(id: id, mapping: "m", time: Double(id), method: "GET", target: "/\(id)",
                     responseBody: [UInt8](repeating: 1, count: body), responseBodyBytes: UInt64(body))
    }

    @Test func theCountBoundKeepsTheNewest500() {
        var log = ExchangeLog()
        for id in 1...600 { log.append(exchange(UInt64(id))) }
        #expect(log.count == ExchangeLog.countLimit)
        #expect(log.newest(1).first?.id == 600)
        #expect(log.newest(1000).last?.id == 101)
        #expect(log.exchange(id: 100) == nil)
        #expect(log.exchange(id: 101)?.target == "/101")
        #expect(log.newest(3).map(\.id) == [600, 599, 598])
    }

    @Test func theByteBoundEvictsTheOldestAndCountsUpdates() {
        var log = ExchangeLog(countLimit: 500, byteBudget: 100_000)
        for id in 1...5 { log.append(exchange(UInt64(id))) }
        #expect(log.count == 5)
        // Growing an exchange by update is counted too: the oldest go to make room.
        log.update(id: 5) { $0.requestBody = [UInt8](repeating: 2, count: 60_000) }
        #expect(log.count == 5)
        log.append(exchange(6, body: 39_000))  // 60 000 + 39 000 + their heads fit; with any older one they do not
        #expect(log.bytes <= 100_000)
        #expect(log.exchange(id: 5)?.requestBody.count == 60_000)
        #expect(log.exchange(id: 6) != nil)
        #expect(log.exchange(id: 1) == nil)
        #expect(log.newest(10).map(\.id) == [6, 5])
        // An exchange larger than the budget alone is still kept (the newest always is).
        log.append(exchange(7, body: 150_000))
        #expect(log.newest(10).map(\.id) == [7])
        #expect(log.bytes == ExchangeLog.cost(of: exchange(7, body: 150_000)))
    }

    @Test func updatesFindTheirExchangeAndIgnoreEvictedOnes() {
        var log = ExchangeLog(countLimit: 3)
        for id in [2, 3, 5, 8, 13] as [UInt64] { log.append(exchange(id)) }
        log.update(id: 8) { $0.status = 201 }
        log.update(id: 2) { $0.status = 500 }  // evicted: nothing happens
        #expect(log.exchange(id: 8)?.status == 201)
        #expect(log.newest(5).map(\.id) == [13, 8, 5])
        #expect(log.newest(5).allSatisfy { $0.status != 500 })
    }

    @Test func twentyFullMappingsStayWellUnderTheMemoryTarget() {
        // 500 exchanges with 64 KiB each way would be 64 MiB per mapping; the budget holds each at 2 MiB.
        var log = ExchangeLog()
        for id in 1...500 {
            var full = exchange(UInt64(id), body: HTTPExchange.bodyCaptureLimit)
            full.requestBody = [UInt8](repeating: 3, count: HTTPExchange.bodyCaptureLimit)
            log.append(full)
        }
        #expect(log.bytes <= ExchangeLog.byteBudget)
        #expect(20 * ExchangeLog.byteBudget <= 40 << 20)
        #expect(log.count >= 10)
    }
}
