import BurrowCore

/// Work the reducer asks for and does not do itself (files, clipboard,
/// processes). The app runs each and feeds the result back as an `Action`.
public enum Effect: Sendable, Equatable {
    /// Add (`replacing` nil) or replace a mapping in mappings.json.
    case saveMapping(MappingDraft, replacing: String?)
    case deleteMapping(String)
    case setEnabled(String, Bool)
    case copy(String)
    case open(String)
    /// Remember the theme in config.json.
    case saveTheme(String)
    case selectProfile(String?)
    /// Ctrl-Z: stop like other terminal programs until `fg`.
    case suspend
    case quit
    /// Ask the engine for one recorded exchange (→ `exchangeLoaded`/`exchangeFailed`).
    case fetchExchange(UInt64)
    /// Send exchange `id` (or `edited`) to the local service again (→ `replayed`/`replayFailed`).
    case replay(UInt64, edited: HTTPReplayRequest?, confirmed: Bool)
    /// Open the request in `$EDITOR` (→ `requestEdited`/`replayFailed`).
    case editRequest(HTTPExchange)
    /// Remember the answer to the quit question in config.json.
    case saveQuitAnswer(Bool)
}
