import NIOCore
import Synchronization

/// Which session serves each HTTP name and TCP port right now, and which
/// sessions are open. Sessions live on different event loops; the registry is
/// the one place they meet, behind a lock held only for dictionary work.
final class ForwardRegistry: Sendable {
    /// Where a visitor goes: the session (on its loop) and the forward's id there.
    struct Holder: Sendable {
        let session: LoopHandoff<RelaySession>
        let sessionID: UInt64
        let forwardID: UInt64
        /// Fingerprint of the key that owns the forward (for visitor limits).
        let key: String
        /// The forward's bandwidth cap, shared by all its visitors (nil = none).
        let bandwidth: TokenBucket?
        /// The forward's access rules, checked by whoever accepts its visitors.
        var policy = AccessPolicy.open
    }

    private struct State {
        var http: [String: Holder] = [:]
        var tcp: [Int: Holder] = [:]
        var tls: [String: Holder] = [:]
        var sessions: [UInt64: LoopHandoff<RelaySession>] = [:]
    }

    private let state = Mutex(State())

    func httpHolder(_ name: String) -> Holder? {
        state.withLock { $0.http[name] }
    }

    /// Makes `holder` serve `name`; returns the holder it replaced (a session of
    /// the same key that must now let go: the newer session wins).
    func claimHTTP(_ name: String, _ holder: Holder) -> Holder? {
        state.withLock { state in
            let previous = state.http[name]
            state.http[name] = holder
            return previous.flatMap { $0.forwardID == holder.forwardID ? nil : $0 }
        }
    }

    /// Removes `name` only if `forwardID` still serves it (a takeover may have replaced it).
    func releaseHTTP(_ name: String, forwardID: UInt64) {
        state.withLock { state in
            if state.http[name]?.forwardID == forwardID { state.http[name] = nil }
        }
    }

    func tlsHolder(_ name: String) -> Holder? {
        state.withLock { $0.tls[name] }
    }

    /// Like `claimHTTP`, for names routed by SNI.
    func claimTLS(_ name: String, _ holder: Holder) -> Holder? {
        state.withLock { state in
            let previous = state.tls[name]
            state.tls[name] = holder
            return previous.flatMap { $0.forwardID == holder.forwardID ? nil : $0 }
        }
    }

    func releaseTLS(_ name: String, forwardID: UInt64) {
        state.withLock { state in
            if state.tls[name]?.forwardID == forwardID { state.tls[name] = nil }
        }
    }

    func tcpHolder(_ port: Int) -> Holder? {
        state.withLock { $0.tcp[port] }
    }

    func claimTCP(_ port: Int, _ holder: Holder) {
        state.withLock { $0.tcp[port] = holder }
    }

    func releaseTCP(_ port: Int, forwardID: UInt64) {
        state.withLock { state in
            if state.tcp[port]?.forwardID == forwardID { state.tcp[port] = nil }
        }
    }

    func add(session: LoopHandoff<RelaySession>, id: UInt64) {
        state.withLock { $0.sessions[id] = session }
    }

    func removeSession(id: UInt64) {
        state.withLock { _ = $0.sessions.removeValue(forKey: id) }
    }

    var sessions: [LoopHandoff<RelaySession>] {
        state.withLock { Array($0.sessions.values) }
    }
}
