import NIOHTTP1

/// One request to the local API, whole (bodies are at most `EngineAPI.maxBodyBytes`).
struct APIRequest: Sendable {
    var method: HTTPMethod
    /// The path without the query, e.g. `/api/v1/mappings/web`.
    var path: String
    var query: [String: String]
    var headers: HTTPHeaders
    var body: [UInt8]

    init(head: HTTPRequestHead, body: [UInt8]) {
        method = head.method
        headers = head.headers
        self.body = body
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = parts.first.map(String.init) ?? "/"
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(keyValue[0]).removingPercentEncodingOrSelf
                query[key] = keyValue.count > 1 ? String(keyValue[1]).removingPercentEncodingOrSelf : ""
            }
        }
        self.query = query
    }

    /// The path's segments after `/api/v1` (nil when it does not start there).
    var route: [Substring]? {
        guard path == EngineAPI.pathPrefix || path.hasPrefix(EngineAPI.pathPrefix + "/") else { return nil }
        return path.dropFirst(EngineAPI.pathPrefix.count).split(separator: "/")
    }

    var wantsServerSentEvents: Bool {
        headers[canonicalForm: "accept"].contains { $0.lowercased().hasPrefix("text/event-stream") }
    }
}

extension String {
    /// `%41` → `A`, `+` → space; left as is when malformed.
    fileprivate var removingPercentEncodingOrSelf: String {
        var bytes: [UInt8] = []
        var iterator = Array(utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return self }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }
}
