/// What a piece of the screen *means*; themes give each role a colour.
public enum ThemeRole: String, CaseIterable, Sendable, Hashable {
    case background, text, muted, header
    case headerText = "header.text"
    case selection
    case selectionText = "selection.text"
    case border, focus, title, online, warning, error, accent, sparkline, key, toast
    case status2xx = "status.2xx"
    case status3xx = "status.3xx"
    case status4xx = "status.4xx"
    case status5xx = "status.5xx"

    /// The role for an HTTP status code, by class.
    public static func forStatus(_ status: Int?) -> ThemeRole {
        switch status ?? 0 {
        case 200..<300: return .status2xx
        case 300..<400: return .status3xx
        case 400..<500: return .status4xx
        case 500..<600: return .status5xx
        default: return .muted
        }
    }

    /// Roles used as a background (the rest colour text).
    public var isBackground: Bool { self == .background || self == .header || self == .selection }
}
