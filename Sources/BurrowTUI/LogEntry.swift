/// One line of the log pane.
public struct LogEntry: Sendable, Equatable {
    public enum Level: Sendable, Equatable { case info, good, warning, error }
    public var time: Double
    public var text: String
    public var level: Level

    public var role: ThemeRole {
        switch level {
        case .info: return .text
        case .good: return .online
        case .warning: return .warning
        case .error: return .error
        }
    }
}
