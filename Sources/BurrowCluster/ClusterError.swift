import PostgresNIO

/// What went wrong with the fleet's database, in one line with no secrets.
public enum ClusterError: Error, Sendable, CustomStringConvertible {
    /// The `--cluster` URL does not parse (the password is masked).
    case badAddress(String)
    /// The database did not answer or refused us.
    case unreachable(String)
    /// A database operation took longer than its deadline.
    case timedOut(String)
    /// The database's schema is newer than this relay knows.
    case schema(String)
    /// `--import-state` or `reservations rm` found a conflict, a bad file or nothing to act on; nothing was changed.
    case refused(String)

    public var description: String {
        switch self {
        case .badAddress(let text), .unreachable(let text), .timedOut(let text), .schema(let text), .refused(let text):
            return text
        }
    }

    /// A short reason for `error` (a PSQLError's own description hides its
    /// details on purpose; this keeps the SQLSTATE and the server's message,
    /// which never contain the password).
    static func describe(_ error: any Error) -> String {
        if let error = error as? ClusterError { return error.description }
        if let error = error as? PostgresTransactionError {
            if let inner = error.beginError ?? error.commitError ?? error.rollbackError ?? error.closureError { return describe(inner) }
            return "transaction failed"
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
