import BurrowNIO
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
        /// Per name, every forward of it, oldest first: the last one serves.
        /// The others are the same key's earlier connections standing by, so
        /// that when the newest leaves the name returns to the one before at
        /// once (no 502 until an agent asks again).
        var http: [String: [Holder]] = [:]
        var tcp: [Int: Holder] = [:]
        var tls: [String: [Holder]] = [:]
        var sessions: [UInt64: LoopHandoff<RelaySession>] = [:]
    }

    private let state = Mutex(State())

    func httpHolder(_ name: String) -> Holder? {
        state.withLock { $0.http[name]?.last }
    }

    /// Makes `holder` serve `name`; returns the holder it replaced (a session
    /// of the same key, which now stands by: told, but keeping its forward).
    func claimHTTP(_ name: String, _ holder: Holder) -> Holder? { claim(\.http, name, holder) }

    /// Removes `forwardID`'s claim on `name`; if it was serving, the latest
    /// claim still standing by serves again, and is returned.
    @discardableResult
    func releaseHTTP(_ name: String, forwardID: UInt64) -> Holder? { release(\.http, name, forwardID) }

    func tlsHolder(_ name: String) -> Holder? {
        state.withLock { $0.tls[name]?.last }
    }

    /// Like `claimHTTP`, for names routed by SNI.
    func claimTLS(_ name: String, _ holder: Holder) -> Holder? { claim(\.tls, name, holder) }

    @discardableResult
    func releaseTLS(_ name: String, forwardID: UInt64) -> Holder? { release(\.tls, name, forwardID) }

    private func claim(_ table: WritableKeyPath<State, [String: [Holder]]> & Sendable, _ name: String, _ holder: Holder) -> Holder? {
        state.withLock { Self.claim(&$0[keyPath: table][name, default: []], holder) }
    }

    private func release(_ table: WritableKeyPath<State, [String: [Holder]]> & Sendable, _ name: String, _ forwardID: UInt64) -> Holder? {
        state.withLock { state in
            defer { if state[keyPath: table][name]?.isEmpty == true { state[keyPath: table][name] = nil } }
            return Self.release(&state[keyPath: table][name, default: []], forwardID)
        }
    }

    private static func claim(_ holders: inout [Holder], _ holder: Holder) -> Holder? {
        let previous = holders.last
        holders.removeAll { $0.forwardID == holder.forwardID }
        holders.append(holder)
        return previous.flatMap { $0.forwardID == holder.forwardID ? nil : $0 }
    }

    private static func release(_ holders: inout [Holder], _ forwardID: UInt64) -> Holder? {
        let wasServing = holders.last?.forwardID == forwardID
        holders.removeAll { $0.forwardID == forwardID }
        return wasServing ? holders.last : nil
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
