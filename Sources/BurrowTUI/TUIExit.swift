/// What the person chose when the UI ended, for the executable to act on.
public enum TUIExit: Sendable, Equatable {
    /// Leave the engine running: `burrow up` keeps serving (attached), or
    /// the tunnels go on in the background (the person said so).
    case keepEngine
    /// Stop the engine this process started (what quitting always did).
    case stopEngine
}
