import ArgumentParser

/// How much `burrow up` writes to stderr.
enum UpLogLevel: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Tunnel and mapping events.
    case info
    /// Also the embedded relay's own log (each login, registration, forward).
    case debug
}
