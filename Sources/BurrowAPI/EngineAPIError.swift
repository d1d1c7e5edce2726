/// Why a call through the engine's local API failed. Each message says what to do next.
public enum EngineAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another engine holds the lock of this config directory.
    case alreadyRunning(pid: Int32, configDirectory: String)
    /// The engine answering is another Burrow version.
    case versionMismatch(running: String, pid: Int32, this: String)
    /// The engine refused the request (`status`, its `error` and `field`).
    case refused(status: Int, message: String, field: String?)
    /// The engine went away (or never answered) during the call.
    case unreachable(socket: String, reason: String)
    /// The engine answered something this client cannot read.
    case badResponse(String)
    /// Setting up the socket, lock or log failed.
    case system(String)

    public var description: String {
        switch self {
        case .alreadyRunning(let pid, let directory):
            return "an engine is already running for \(directory) (pid \(pid)): use it (`burrow status`) or stop it with `burrow down`"
        case .versionMismatch(let running, let pid, let this):
            return "the running engine is burrow \(running) (pid \(pid)), this is burrow \(this): stop it with `burrow down`"
        case .refused(_, let message, let field):
            return field.map { "\($0): \(message)" } ?? message
        case .unreachable(let socket, let reason):
            return "the engine at \(socket) did not answer: \(reason)"
        case .badResponse(let reason):
            return "the engine's answer could not be read: \(reason)"
        case .system(let message):
            return message
        }
    }
}
