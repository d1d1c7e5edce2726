/// How quitting treats an engine, from what the executable knows about it.
public struct QuitPolicy: Sendable, Equatable {
    /// The engine belongs to another process (`burrow up`): quitting leaves it running.
    public var attached = false
    /// This UI started the engine and asks whether to keep it running.
    public var ask = false
    /// The answer remembered in config.json (`ui.keepTunnelsOnQuit`); nil = ask.
    public var remembered: Bool?

    public init(attached: Bool = false, ask: Bool = false, remembered: Bool? = nil) {
        self.attached = attached
        self.ask = ask
        self.remembered = remembered
    }
}
