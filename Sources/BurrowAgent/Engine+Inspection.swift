import BurrowCore

/// The request inspector (issue 14): each HTTP mapping's `MappingStats`
/// keeps its last exchanges (`ExchangeLog`); these read them, and replay one
/// straight to the mapping's local service (`ReplayClient`), outside the
/// engine's actor so a slow service holds up nothing else.
extension Engine {
    public func exchanges(mapping: String?, limit: Int) async throws -> [HTTPExchange] {
        let all = await core.httpMappingStats()
        guard let mapping else {
            let merged = all.flatMap { $0.stats.exchanges(limit: limit) }
            return Array(merged.sorted { ($0.time, $0.id) > ($1.time, $1.id) }.prefix(max(0, limit)))
        }
        if let found = all.first(where: { $0.mapping.name == mapping }) { return found.stats.exchanges(limit: limit) }
        // An HTTP mapping that is not running here (disabled, another profile's): nothing kept.
        guard await core.isHTTPMapping(mapping) else { throw InspectorError.noSuchMapping(mapping) }
        return []
    }

    public func exchange(id: UInt64) async throws -> HTTPExchange {
        for entry in await core.httpMappingStats() {
            if let found = entry.stats.exchange(id: id) { return found }
        }
        throw InspectorError.noSuchExchange(id)
    }

    public func replay(id: UInt64, edited: HTTPReplayRequest?, confirmed: Bool) async throws -> HTTPExchange {
        var located: (mapping: Mapping, stats: MappingStats, exchange: HTTPExchange)?
        for entry in await core.httpMappingStats() {
            if let found = entry.stats.exchange(id: id) { located = (entry.mapping, entry.stats, found) }
        }
        guard let (mapping, stats, original) = located else { throw InspectorError.noSuchExchange(id) }
        if edited == nil, original.requestBodyTruncated {
            throw InspectorError.notReplayable(
                reason: "only the first \(HTTPExchange.bodyCaptureLimit / 1024) KiB of its \(original.requestBodyBytes)-byte body were kept; edit it to send a body of your own")
        }
        let request = edited ?? HTTPReplayRequest(
            method: original.method, target: original.target, headers: original.requestHeaders, body: original.requestBody)
        if !confirmed, !HTTPExchange.idempotentMethods.contains(request.method.uppercased()) {
            throw InspectorError.needsConfirmation(method: request.method)
        }
        let bytes = try ReplayRequestEncoder.encode(request, defaultHost: mapping.local.description)
        let time = WallClock.now()
        let answer = try await ReplayClient.send(bytes, method: request.method, to: mapping.local, group: group)
        let headers = request.headers.filter { !ReplayRequestEncoder.framingFields.contains($0.name.lowercased()) }
        return stats.record(HTTPExchange(
            id: 0, mapping: mapping.name, time: time, method: request.method, target: request.target, version: "HTTP/1.1",
            requestHeaders: headers, requestBody: Array(request.body.prefix(HTTPExchange.bodyCaptureLimit)),
            requestBodyBytes: UInt64(request.body.count), status: answer.status, reason: answer.reason,
            responseHeaders: answer.headers, responseBody: answer.body, responseBodyBytes: answer.bodyBytes,
            firstByteMs: answer.firstByteMs, totalMs: answer.totalMs, answeredBy: .localService, replayOf: id))
    }
}
