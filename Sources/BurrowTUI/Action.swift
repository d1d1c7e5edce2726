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
    /// The engine's answer to `Effect.fetchExchange`.
    case exchangeLoaded(HTTPExchange)
    case exchangeFailed(id: UInt64, String)
    /// `$EDITOR` gave back a request to replay instead of exchange `id`.
    case requestEdited(id: UInt64, HTTPReplayRequest)
    /// The engine's answer to `Effect.replay`: the new exchange.
    case replayed(of: UInt64, HTTPExchange)
    /// The replay was not sent or not answered (or the edit was cancelled).
    case replayFailed(of: UInt64, String)
    /// The engine went away (attached: snapshots fail, events ended).
    case engineStopped(String)
    /// config.json's `ui.keepTunnelsOnQuit` changed (nil: ask).
    case quitAnswerChanged(Bool?)
}
