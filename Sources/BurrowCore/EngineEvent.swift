#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Something the engine wants a person to know: printed by `burrow up`
/// (a line, or JSON with `--json`) and listed in the TUI's log pane.
public enum EngineEvent: Sendable, Equatable {
    case connecting(tunnel: String, relay: String)
    case connected(tunnel: String, relay: String)
    /// `also`: the mapping's other URL (plain http beside an https one).
    case online(mapping: String, url: PublicURL, local: LocalAddress, also: PublicURL? = nil)
    case reconnecting(tunnel: String, retryInSeconds: Double, reason: String)
    case offline(tunnel: String, reason: String)
    /// A mapping-level or tunnel-level error (refused name, local service down…).
    case error(mapping: String?, message: String)
    /// A mapping was removed from `mappings.json` and is no longer served.
    case removed(mapping: String)
    /// A mapping was switched off (it stays in `mappings.json`).
    case disabled(mapping: String)
    /// A mapping left this tunnel for another one (its profile, or the selected profile, changed).
    case moved(mapping: String, tunnel: String)
    /// Progress worth a line that is not an error (e.g. a graceful stop letting visitors finish).
    case notice(String)

    /// The event name used in `burrow up --json`.
    public var name: String {
        switch self {
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .online: return "online"
        case .reconnecting: return "reconnecting"
        case .offline: return "offline"
        case .error: return "error"
        case .removed: return "removed"
        case .disabled: return "disabled"
        case .moved: return "moved"
        case .notice: return "notice"
        }
    }

    /// One human line: `NAME  PUBLIC_URL -> LOCAL` for `online`
    /// (`NAME  PUBLIC_URL (also URL) -> LOCAL` with a second URL).
    public var humanLine: String {
        switch self {
        case .connecting(let tunnel, let relay): return "connecting \(tunnel) to \(relay)…"
        case .connected(let tunnel, let relay): return "connected \(tunnel) to \(relay)"
        case .online(let mapping, let url, let local, let also):
            return "\(mapping)  \(url)\(also.map { " (also \($0))" } ?? "") -> \(local)"
        case .reconnecting(let tunnel, let seconds, let reason):
            let shown = seconds < 10 ? String(Double(Int(seconds * 10)) / 10) : String(Int(seconds))
            return "reconnecting \(tunnel) in \(shown) s: \(reason)"
        case .offline(let tunnel, let reason): return "offline \(tunnel): \(reason)"
        case .error(let mapping, let message): return mapping.map { "error \($0): \(message)" } ?? "error: \(message)"
        case .removed(let mapping): return "removed \(mapping)"
        case .disabled(let mapping): return "disabled \(mapping)"
        case .moved(let mapping, let tunnel): return "moved \(mapping) to tunnel \(tunnel)"
        case .notice(let text): return text
        }
    }

    /// One JSON line: `{"event":"online","name":…,"url":…,"local":…}` (and `"alsoURL"`), keys sorted.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(EngineEventLine(self))) ?? Data(), as: UTF8.self)
    }
}
