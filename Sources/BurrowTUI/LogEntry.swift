/// One line of the log pane.
public struct LogEntry: Sendable, Equatable {
    public enum Level: Sendable, Equatable { case info, good, warning, error }
    public var time: Double
    public var text: String
    public var level: Level

    public init(time: Double, text: String, level: Level) {
        self.time = time
        self.text = text
        self.level = level
    }

    public var role: ThemeRole {
        switch level {
        case .info: return .text
        case .good: return .online
        case .warning: return .warning
        case .error: return .error
        }
    }
}
