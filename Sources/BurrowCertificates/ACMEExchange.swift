/// One HTTP request the ACME state machine wants sent, and the answer it is
/// given back. The machine never does I/O: whoever drives it (the relay's
/// ACME client, or a test replaying a recorded exchange) carries these.
public struct ACMERequest: Sendable, Equatable {
    public enum Method: String, Sendable { case get = "GET", head = "HEAD", post = "POST" }
    public var method: Method
    public var url: String
    /// A JWS (flattened JSON) for POST; nil for GET and HEAD.
    public var body: [UInt8]?

    /// `application/jose+json` for every POST (RFC 8555 §6.2).
    public var contentType: String? { method == .post ? "application/jose+json" : nil }
}

public struct ACMEResponse: Sendable, Equatable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }
}
