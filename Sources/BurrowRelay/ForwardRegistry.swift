import BurrowNIO
import NIOCore
import NIOPosix
import Synchronization

/// Which session serves each HTTP name and TCP port right now, and which
/// sessions are open. Sessions live on different event loops; the registry is
/// the one place they meet, behind a lock held only for dictionary work.
///
/// A name or port is served either by one forward (the newest of its owner's
/// connections takes over, the older ones stand by) or by a pool: every
/// forward of the owner that asked with `pool` serves it at once, and
/// `PoolBalancer` spreads the visitors (issue 16). The connections of one
/// agent run (same owner, same `hello` instance) that forward the same name
/// or port serve it together the same way, as a pool with an `instance`
/// (issue 15); a different instance takes it over as before.
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
        /// Who the key belongs to: its `burrow-owner` in `authorized_keys`, else the key itself.
        var owner = ""
        /// Set on holders handed out from a pool: the splice picks the member
        /// (and counts the visitor on it) through the registry.
        var pool: PoolKey? = nil
        /// The agent run of the session (`hello`'s `instance`), nil for older agents and `ssh -R`.
        var instance: String? = nil
        /// Set on holders handed out from an agent run's pool: the id its
        /// visitors count under for `maxVisitorsPerMapping` (one mapping,
        /// however many connections carry it).
        var gateID: UInt64? = nil

        /// What `VisitorGate` counts this holder's visitors under.
        var mappingID: UInt64 { gateID ?? forwardID }

        /// Another connection of the same agent run (never the same session).
        func isSibling(of other: Holder) -> Bool {
            guard let instance, other.instance == instance else { return false }
            return other.owner == owner && other.sessionID != sessionID
        }
    }

    private struct State {
        /// Per name, every forward of it, oldest first: the last one serves.
        /// The others are the same key's earlier connections standing by, so
        /// that when the newest leaves the name returns to the one before at
        /// once (no 502 until an agent asks again).
        var http: [String: [Holder]] = [:]
        var tcp: [Int: Holder] = [:]
        var tls: [String: [Holder]] = [:]
        var pools: [PoolKey: Pool] = [:]
        var sessions: [UInt64: LoopHandoff<RelaySession>] = [:]
        /// TCP binds in flight of an agent run's mapping (`tcpBindKey`): its
        /// other connections wait for it, then join the port it bound.
        var tcpBinds: [String: EventLoopFuture<Void>] = [:]
    }

    private let state = Mutex(State())
    /// The clock pools read for members taken out for a while (tests may pass their own).
    private let now: @Sendable () -> NIODeadline

    init(now: @escaping @Sendable () -> NIODeadline = { .now() }) {
        self.now = now
    }

    // MARK: Lookups (what a router sees)

    func httpHolder(_ name: String) -> Holder? { named(.http(name)) }

    func tlsHolder(_ name: String) -> Holder? { named(.tls(name)) }

    /// Every forward serving HTTP `name` now: a pool's members, or the one serving alone.
    func httpServers(_ name: String) -> [Holder] {
        state.withLock { state in
            if let pool = state.pools[.http(name)] { return pool.balancer.members.compactMap { pool.holders[$0] } }
            return state.http[name]?.last.map { [$0] } ?? []
        }
    }

    func tcpHolder(_ port: Int) -> Holder? {
        let time = now()
        return state.withLock { $0.pools[.tcp(port)]?.peek(.tcp(port), at: time, on: MultiThreadedEventLoopGroup.currentEventLoop) ?? $0.tcp[port] }
    }

    /// The holder of a TCP port outside any pool (the one a newer session of its key may evict).
    func tcpSingle(_ port: Int) -> Holder? {
        state.withLock { $0.tcp[port] }
    }

    private func named(_ key: PoolKey) -> Holder? {
        let time = now()
        return state.withLock { state in
            if let pool = state.pools[key] { return pool.peek(key, at: time, on: MultiThreadedEventLoopGroup.currentEventLoop) }
            switch key {
            case .http(let name): return state.http[name]?.last
            case .tls(let name): return state.tls[name]?.last
            case .tcp(let port): return state.tcp[port]
            }
        }
    }

    // MARK: Takeover (no pool)

    /// Makes `holder` serve `name`; returns the holder it replaced (a session
    /// of the same key, which now stands by: told, but keeping its forward).
    func claimHTTP(_ name: String, _ holder: Holder) -> Holder? { claim(\.http, name, holder) }

    /// Removes `forwardID`'s claim on `name`; if it was serving, the latest
    /// claim still standing by serves again, and is returned.
    @discardableResult
    func releaseHTTP(_ name: String, forwardID: UInt64) -> Holder? { release(\.http, name, forwardID) }

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

    func claimTCP(_ port: Int, _ holder: Holder) {
        state.withLock { $0.tcp[port] = holder }
    }

    func releaseTCP(_ port: Int, forwardID: UInt64) {
        state.withLock { state in
            if state.tcp[port]?.forwardID == forwardID { state.tcp[port] = nil }
        }
    }

    // MARK: Pools

    /// What a forward asking for a name gets.
    enum NamedClaim {
        /// Served alone (today's takeover); `previous` now stand by.
        case serving(previous: [Holder])
        /// Serves it together with the other connections of its agent run (issue 15).
        case joined
        /// Joined (or started) the name's pool; every member is told.
        case pooled(PoolNews)
        /// Refused, with the reason for the agent.
        case refused(String)
    }

    /// Claims an HTTP or TLS name. `pool`: true = the agent registered the
    /// forward with `pool`; false = registered without; nil = not registered
    /// (a stock `ssh -R`): it joins the owner's pool of the name if there is
    /// one, else serves alone.
    func claimNamed(_ key: PoolKey, _ holder: Holder, pool: Bool?) -> NamedClaim {
        let time = now()
        return state.withLock { state in
            let label = key.label
            if var existing = state.pools[key] {
                guard existing.owner == holder.owner else {
                    return .refused("\(label) is served by another owner's pool on this relay; choose another name")
                }
                if let instance = existing.instance {
                    if holder.instance == instance {
                        existing.join(holder)
                        state.pools[key] = existing
                        return .joined
                    }
                    guard pool != true else {
                        return .refused("\(label) is already served without pool by another connection of this owner: remove it there, or mark it pool there too")
                    }
                    // Another run of the owner's agent takes over: the run's connections stand by.
                    state.pools[key] = nil
                    let members = existing.memberHolders
                    for member in members { _ = Self.claim(&state[keyPath: Self.stack(key)][key.name, default: []], member) }
                    _ = Self.claim(&state[keyPath: Self.stack(key)][key.name, default: []], holder)
                    return .serving(previous: members)
                }
                guard pool != false else {
                    return .refused("\(label) is pooled on this relay: mark this mapping pool (burrow map add … --pool) to serve it with the others, or choose another name")
                }
                existing.join(holder)
                state.pools[key] = existing
                return .pooled(existing.news(key, at: time))
            }
            let table = Self.stack(key)
            let stack = state[keyPath: table][key.name] ?? []
            if pool != true, let serving = stack.last, holder.isSibling(of: serving), let instance = holder.instance {
                // The same agent run's next connection: both serve the name.
                _ = Self.release(&state[keyPath: table][key.name, default: []], serving.forwardID)
                if state[keyPath: table][key.name]?.isEmpty == true { state[keyPath: table][key.name] = nil }
                var group = Pool(owner: holder.owner, label: key.name, instance: instance)
                group.join(serving)
                group.join(holder)
                state.pools[key] = group
                return .joined
            }
            guard pool == true else {
                return .serving(previous: Self.claim(&state[keyPath: table][key.name, default: []], holder).map { [$0] } ?? [])
            }
            if let serving = stack.last {
                return .refused(serving.owner == holder.owner
                    ? "\(label) is already served without pool by another connection of this owner: remove it there, or mark it pool there too"
                    : "\(label) is served by another owner on this relay; choose another name")
            }
            var started = Pool(owner: holder.owner, label: key.name)
            started.join(holder)
            state.pools[key] = started
            return .pooled(started.news(key, at: time))
        }
    }

    /// The takeover stacks of HTTP or TLS names.
    private static func stack(_ key: PoolKey) -> WritableKeyPath<State, [String: [Holder]]> & Sendable {
        switch key {
        case .http: return \.http
        case .tls: return \.tls
        case .tcp: preconditionFailure("takeover stacks are for HTTP and TLS names")
        }
    }

    /// Removes a named forward: from its pool (news for the members left,
    /// nil when it was the last) or from its takeover stack (the holder
    /// serving again, if any).
    func releaseNamed(_ key: PoolKey, forwardID: UInt64) -> (servingAgain: Holder?, news: PoolNews?) {
        let time = now()
        let pooled: (Bool, PoolNews?) = state.withLock { state in
            guard var pool = state.pools[key], pool.holders[forwardID] != nil else { return (false, nil) }
            pool.leave(forwardID)
            if pool.balancer.isEmpty {
                state.pools[key] = nil
                return (true, nil)
            }
            state.pools[key] = pool
            return (true, pool.news(key, at: time))
        }
        if pooled.0 { return (nil, pooled.1) }
        switch key {
        case .http(let name): return (releaseHTTP(name, forwardID: forwardID), nil)
        case .tls(let name): return (releaseTLS(name, forwardID: forwardID), nil)
        case .tcp(let port):
            releaseTCP(port, forwardID: forwardID)
            return (nil, nil)
        }
    }

    /// The port of `owner`'s TCP pool labelled `label` (the mapping's name), if any.
    func tcpPoolPort(owner: String, label: String) -> Int? {
        state.withLock { state in
            state.pools.first { key, pool in
                if case .tcp = key { return pool.owner == owner && pool.label == label }
                return false
            }.flatMap { if case .tcp(let port) = $0.key { return port } else { return nil } }
        }
    }

    /// Whether TCP `port` is pooled, and by which owner.
    func tcpPoolOwner(_ port: Int) -> String? {
        state.withLock { $0.pools[.tcp(port)]?.owner }
    }

    /// TCP `port`'s pool when it is an agent run's (issue 15): its instance,
    /// members (to evict on a takeover) and listener (closed with the last).
    func tcpGroup(_ port: Int) -> (instance: String, members: [Holder], listener: (any Channel)?)? {
        state.withLock { state in
            guard let pool = state.pools[.tcp(port)], let instance = pool.instance else { return nil }
            return (instance, pool.memberHolders, pool.listener)
        }
    }

    /// Starts TCP `port`'s pool with its first member and the listener the
    /// pool owns (closed when the last member leaves). `instance`: the pool
    /// is that agent run's connections (issue 15), not one the user asked for.
    func startTCPPool(_ port: Int, _ holder: Holder, label: String, listener: any Channel, instance: String? = nil) -> PoolNews {
        let time = now()
        return state.withLock { state in
            var pool = Pool(owner: holder.owner, label: label, instance: instance)
            pool.listener = listener
            pool.join(holder)
            state.pools[.tcp(port)] = pool
            return pool.news(.tcp(port), at: time)
        }
    }

    /// Joins an existing TCP pool (same owner, and for an agent run's pool
    /// the same instance); nil when it is gone or not one to join.
    func joinTCPPool(_ port: Int, _ holder: Holder) -> PoolNews? {
        let time = now()
        return state.withLock { state in
            guard var pool = state.pools[.tcp(port)], pool.owner == holder.owner, pool.instance == nil || pool.instance == holder.instance
            else { return nil }
            pool.join(holder)
            state.pools[.tcp(port)] = pool
            return pool.news(.tcp(port), at: time)
        }
    }

    /// Removes a member of TCP `port`'s pool: the news for the others, or the
    /// pool's listener to close when it was the last.
    func leaveTCPPool(_ port: Int, forwardID: UInt64) -> (news: PoolNews?, listener: (any Channel)?) {
        let time = now()
        return state.withLock { state in
            guard var pool = state.pools[.tcp(port)], pool.holders[forwardID] != nil else { return (nil, nil) }
            pool.leave(forwardID)
            if pool.balancer.isEmpty {
                state.pools[.tcp(port)] = nil
                return (nil, pool.listener)
            }
            state.pools[.tcp(port)] = pool
            return (pool.news(.tcp(port), at: time), nil)
        }
    }

    /// What tells an agent run's TCP binds of one mapping apart.
    static func tcpBindKey(owner: String, label: String, instance: String) -> String {
        "\(owner)\u{0}\(label)\u{0}\(instance)"
    }

    /// Records `done` as the bind in flight for `key`, or returns the one
    /// already in flight (a sibling connection's; nothing is recorded then).
    func beginTCPBind(_ key: String, _ done: EventLoopFuture<Void>) -> EventLoopFuture<Void>? {
        state.withLock { state in
            if let pending = state.tcpBinds[key] { return pending }
            state.tcpBinds[key] = done
            return nil
        }
    }

    func endTCPBind(_ key: String, _ done: EventLoopFuture<Void>) {
        state.withLock { state in
            if state.tcpBinds[key] === done { state.tcpBinds[key] = nil }
        }
    }

    /// Every pool's listener (shutdown: no new visitors).
    func poolListeners() -> [any Channel] {
        state.withLock { $0.pools.values.compactMap(\.listener) }
    }

    /// The member a visitor goes to, counted as open on it until `finished`;
    /// nil when the pool is gone or every member is in `excluding`. Among
    /// one agent run's connections, members whose session runs on `loop` (the
    /// visitor's, which `VisitorSplice` passes) come first (`Pool.members(on:)`). A
    /// TCP port's visitors are all accepted on its listener's loop, so they
    /// all go to the connection that bound it while it takes visitors (a
    /// thread hop per read cost more than the spread gained: fewer
    /// connections/s in `scripts/bench`), to the others when it is gone.
    func pick(
        _ key: PoolKey, excluding: Set<UInt64>, on loop: any EventLoop
    ) -> Holder? {
        let time = now()
        return state.withLock { state in
            guard var pool = state.pools[key],
                  let id = pool.balancer.pick(at: time, excluding: excluding, preferring: pool.members(on: loop))
            else { return nil }
            state.pools[key] = pool
            var holder = pool.holders[id]
            holder?.pool = key
            holder?.gateID = pool.gateID
            return holder
        }
    }

    /// A visitor picked for `forwardID` closed.
    func finished(_ key: PoolKey, forwardID: UInt64) {
        state.withLock { state in
            guard state.pools[key] != nil else { return }
            state.pools[key]?.balancer.finished(forwardID)
        }
    }

    /// A member's local service went down (`until` nil: until its agent
    /// says it is up) or a visitor's channel was refused by it (`until` a
    /// short while: no news, the pause ends by itself). News for every
    /// agent report, so members always hear the size after one.
    func memberDown(_ key: PoolKey, forwardID: UInt64, until: NIODeadline?) -> PoolNews? {
        changeMember(key, news: until == nil) { $0.down(forwardID, until: until) }
    }

    func memberUp(_ key: PoolKey, forwardID: UInt64) -> PoolNews? {
        changeMember(key, news: true) { $0.up(forwardID) }
    }

    private func changeMember(_ key: PoolKey, news: Bool, _ change: (inout PoolBalancer<UInt64>) -> Void) -> PoolNews? {
        let time = now()
        return state.withLock { state in
            guard var pool = state.pools[key] else { return nil }
            change(&pool.balancer)
            state.pools[key] = pool
            return news ? pool.news(key, at: time) : nil
        }
    }

    /// The size of `key`'s pool now (for a member that wants it again).
    func news(_ key: PoolKey) -> PoolNews? {
        let time = now()
        return state.withLock { $0.pools[key]?.news(key, at: time) }
    }

    // MARK: Sessions

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
