/// A request text that does not read as an HTTP request: where and why.
public struct RequestTextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the edited text.
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message); nothing was sent" }
}
