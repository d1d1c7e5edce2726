/// An HTTP request the relay answered itself with a refusal (e.g. 401 for
/// basic auth), reported to the agent on the control channel.
public struct RefusedRequest: Sendable, Equatable {
    /// The mapping's name.
    public var name: String
    public var status: Int
    public var method: String
    /// The request target as sent (path and query).
    public var target: String
    /// The visitor's address (`ip:port`), empty if unknown.
    public var visitor: String

    public init(name: String, status: Int, method: String, target: String, visitor: String) {
        self.name = name
        self.status = status
        self.method = method
        self.target = target
        self.visitor = visitor
    }
}
