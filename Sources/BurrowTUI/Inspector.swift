import BurrowCore

/// The request inspector window: one recorded exchange (fetched from the
/// engine), optionally a replay of it beside it. Secrets stay masked until
/// revealed.
public struct Inspector: Sendable, Equatable {
    public enum Load: Sendable, Equatable {
        case loading
        case loaded(HTTPExchange)
        case failed(String)
    }

    public enum Replay: Sendable, Equatable {
        /// Waiting for y/n: the method is not idempotent.
        case confirming(method: String, edited: HTTPReplayRequest?)
        /// `$EDITOR` is open on the request.
        case editing
        case sending(edited: Bool)
        case done(HTTPExchange, edited: Bool)
        case failed(String)
    }

    /// The exchange id (`HTTPRequestRecord.id`).
    public var id: UInt64
    public var mapping: String
    public var load: Load = .loading
    public var replay: Replay?
    /// The first line shown.
    public var scroll = 0
    /// Authorization, Proxy-Authorization, Cookie and Set-Cookie values in clear.
    public var revealed = false

    public init(id: UInt64, mapping: String) {
        self.id = id
        self.mapping = mapping
    }

    public var exchange: HTTPExchange? {
        if case .loaded(let exchange) = load { return exchange }
        return nil
    }
}
