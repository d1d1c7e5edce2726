import BurrowCore
import Foundation

/// `HTTPExchange` on the wire (`/api/v1/requests…`): headers as
/// `[name, value]` pairs in order, bodies as base64 plus `text` when they
/// are UTF-8. The list leaves the bodies out (`request`/`response` bodies nil).
struct WireExchange: Codable, Sendable {
    var id: UInt64
    var mapping: String
    var time: Double
    var visitor: String?
    var method: String
    var target: String
    var version: String
    var requestHeaders: [[String]]
    var requestBody: WireBody?
    var requestBodyBytes: UInt64
    var status: Int?
    var reason: String?
    var responseHeaders: [[String]]
    var responseBody: WireBody?
    var responseBodyBytes: UInt64
    var firstByteMs: Double?
    var totalMs: Double?
    var answeredBy: RequestAnswerer
    var replayOf: UInt64?

    init(_ exchange: HTTPExchange, bodies: Bool) {
        id = exchange.id
        mapping = exchange.mapping
        time = exchange.time
        visitor = exchange.visitor
        method = exchange.method
        target = exchange.target
        version = exchange.version
        requestHeaders = exchange.requestHeaders.map { [$0.name, $0.value] }
        requestBody = bodies ? WireBody(exchange.requestBody, truncated: exchange.requestBodyTruncated) : nil
        requestBodyBytes = exchange.requestBodyBytes
        status = exchange.status
        reason = exchange.reason
        responseHeaders = exchange.responseHeaders.map { [$0.name, $0.value] }
        responseBody = bodies ? WireBody(exchange.responseBody, truncated: exchange.responseBodyTruncated) : nil
        responseBodyBytes = exchange.responseBodyBytes
        firstByteMs = exchange.firstByteMs
        totalMs = exchange.totalMs
        answeredBy = exchange.answeredBy
        replayOf = exchange.replayOf
    }

    func value() throws -> HTTPExchange {
        HTTPExchange(
            id: id, mapping: mapping, time: time, visitor: visitor, method: method, target: target, version: version,
            requestHeaders: try WireExchange.fields(requestHeaders), requestBody: try requestBody?.bytes() ?? [],
            requestBodyBytes: requestBodyBytes, status: status, reason: reason,
            responseHeaders: try WireExchange.fields(responseHeaders), responseBody: try responseBody?.bytes() ?? [],
            responseBodyBytes: responseBodyBytes, firstByteMs: firstByteMs, totalMs: totalMs, answeredBy: answeredBy,
            replayOf: replayOf)
    }

    static func fields(_ pairs: [[String]]) throws -> [HTTPHeaderField] {
        try pairs.map { pair in
            guard pair.count == 2 else { throw EngineAPIError.badResponse("a header is not a [name, value] pair") }
            return HTTPHeaderField(name: pair[0], value: pair[1])
        }
    }
}

/// A kept body: `base64` always, `text` too when the bytes are UTF-8.
struct WireBody: Codable, Sendable {
    var base64: String
    var text: String?
    /// The body was longer than what the inspector keeps.
    var truncated: Bool

    init(_ bytes: [UInt8], truncated: Bool) {
        base64 = Data(bytes).base64EncodedString()
        text = String(validating: bytes, as: UTF8.self)
        self.truncated = truncated
    }

    func bytes() throws -> [UInt8] {
        guard let data = Data(base64Encoded: base64) else { throw EngineAPIError.badResponse("a body is not base64") }
        return Array(data)
    }
}
