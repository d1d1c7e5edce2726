/// What the TUI (and `burrow up`, `burrow status`, the local API) need from
/// the agent engine. BurrowAgent's `Engine` implements it in the engine's
/// process; BurrowAPI's `EngineAPIClient` implements it over the engine's
/// Unix socket, so an attached TUI and one that started the engine see the
/// same thing. The TUI never imports NIO.
public protocol TunnelEngine: AnyObject, Sendable {
    /// A picture of every tunnel and mapping, built now. Throws only when
    /// the engine is out of reach (an API client whose engine stopped).
    func snapshot() async throws -> EngineSnapshot
    /// A new subscription to engine events, from now on.
    func events() -> AsyncStream<EngineEvent>
    /// The inspector's exchanges, newest first: one mapping's (nil: all),
    /// at most `limit`. Throws `InspectorError.noSuchMapping` for an unknown name.
    func exchanges(mapping: String?, limit: Int) async throws -> [HTTPExchange]
    /// One exchange in full.
    func exchange(id: UInt64) async throws -> HTTPExchange
    /// Sends a recorded request (or `edited` instead) to the mapping's local
    /// service again and records the answer as a new exchange (`replayOf` set),
    /// which it returns. Non-idempotent methods need `confirmed`.
    func replay(id: UInt64, edited: HTTPReplayRequest?, confirmed: Bool) async throws -> HTTPExchange
}
