import BurrowCore
import TerminalUI

/// Everything that can change the app state: input, engine news, files
/// changing on disk, the clock, and the results of effects.
public enum Action: Sendable, Equatable {
    case input(InputEvent)
    case snapshot(EngineSnapshot)
    case engineEvent(EngineEvent, at: Double)
    case mappingsChanged([Mapping])
    case profilesChanged([Profile], selected: String?)
    case tick(Double)
    /// An effect worked; `message` goes to the toast.
    case succeeded(String)
    /// An effect failed; `message` goes to the log (and the form, if open).
    case failed(String)
    case log(String, LogEntry.Level)
}
