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
        var grown = exchange(5)
        grown.requestBody = [UInt8](repeating: 2, count: 60_000)
        let small = ExchangeLog.cost(of: exchange(1))
        // Room for the grown exchange 5 and exchange 6 and half a small one more.
        let budget = ExchangeLog.cost(of: grown) + ExchangeLog.cost(of: exchange(6, body: 39_000)) + small / 2
        var log = ExchangeLog(countLimit: 500, byteBudget: budget)
        for id in 1...5 { log.append(exchange(UInt64(id))) }
        #expect(log.count == 5)
        #expect(log.bytes == 5 * small)
        // Growing an exchange by update is counted too: the oldest go to make room.
        log.update(id: 5) { $0.requestBody = grown.requestBody }
        #expect(log.bytes == 4 * small + ExchangeLog.cost(of: grown))
        log.append(exchange(6, body: 39_000))
        #expect(log.bytes <= budget)
        #expect(log.exchange(id: 5)?.requestBody.count == 60_000)
        #expect(log.newest(10).map(\.id) == [6, 5])
        // An exchange larger than the budget alone is still kept (the newest always is).
        log.append(exchange(7, body: 2 * budget))
        #expect(log.newest(10).map(\.id) == [7])
        #expect(log.bytes == ExchangeLog.cost(of: exchange(7, body: 2 * budget)))
    }

    @Test func rawHeadsAreKeptWholeAndReadIntoFieldsWhenAsked() {
        var log = ExchangeLog()
        let request = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Long-Header-Name: a value longer than fifteen\r\nX: 1\r\n\r\n".utf8)
        log.append(exchange(1), requestHead: request)
        log.update(id: 1, responseHead: Array("HTTP/1.1 200 OK\nContent-Length:  0 \n\n".utf8)) { $0.status = 200 }
        let kept = log.exchange(id: 1)
        #expect(kept?.requestHeaders == [HTTPHeaderField(name: "Host", value: "a"),
                                         HTTPHeaderField(name: "X-Long-Header-Name", value: "a value longer than fifteen"),
                                         HTTPHeaderField(name: "X", value: "1")])
        #expect(kept?.responseHeaders == [HTTPHeaderField(name: "Content-Length", value: "0")])
        // Counted as two byte arrays, not as six strings and two field arrays.
        #expect(log.bytes >= ExchangeLog.cost(of: exchange(1)) + request.count + 30)
        #expect(log.bytes < ExchangeLog.cost(of: exchange(1)) + ExchangeLog.cost(of: kept!) - ExchangeLog.cost(of: exchange(1)))
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
        // 500 exchanges with 64 KiB each way would be 64 MiB per mapping; the budget holds each at 1.5 MiB.
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
