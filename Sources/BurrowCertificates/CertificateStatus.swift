import Foundation

/// Where a name's https certificate stands, as the agent and TUI show it.
public enum CertificateStatus: Sendable, Equatable, CustomStringConvertible {
    /// Being obtained (first time), shown as `https pending`.
    case pending
    case ready(notValidAfter: Date)
    /// The last attempt failed; the next is at `retryAt`.
    case failed(reason: String, retryAt: Date)

    public var description: String {
        switch self {
        case .pending: return "https pending"
        case .ready: return "https ready"
        case .failed(let reason, _): return "https failed: \(reason)"
        }
    }
}
