/// What the TUI (and `burrow up`) need from the agent engine. BurrowAgent's
/// `Engine` implements it; the executable wires the two together, so the TUI
/// never imports NIO.
public protocol TunnelEngine: AnyObject, Sendable {
    /// A picture of every tunnel and mapping, built now.
    func snapshot() async -> EngineSnapshot
    /// A new subscription to engine events, from now on.
    func events() -> AsyncStream<EngineEvent>
}
