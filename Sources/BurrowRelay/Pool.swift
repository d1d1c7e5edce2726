import NIOCore

/// One pooled name or port in `ForwardRegistry` (under its lock): the owner
/// every member must belong to, the members' holders, their balancing state,
/// and for a TCP pool the listener it owns (it outlives the member that bound
/// it, and closes with the last one).
struct Pool: Sendable {
    let owner: String
    /// The mapping's name (the forwards' bind address): finds a TCP pool asked for with port 0.
    let label: String
    var holders: [UInt64: ForwardRegistry.Holder] = [:]
    var balancer = PoolBalancer<UInt64>()
    var listener: (any Channel)?

    init(owner: String, label: String) {
        self.owner = owner
        self.label = label
    }

    mutating func join(_ holder: ForwardRegistry.Holder) {
        holders[holder.forwardID] = holder
        balancer.join(holder.forwardID)
    }

    mutating func leave(_ forwardID: UInt64) {
        holders[forwardID] = nil
        balancer.leave(forwardID)
    }

    /// The member the next visitor would go to (admission checks its rules).
    /// Marked with `key`: whoever splices the visitor picks (and counts) the
    /// member through the registry.
    func peek(_ key: PoolKey, at now: NIODeadline) -> ForwardRegistry.Holder? {
        guard let id = balancer.peek(at: now), var holder = holders[id] else { return nil }
        holder.pool = key
        return holder
    }

    func news(_ key: PoolKey, at now: NIODeadline) -> PoolNews {
        PoolNews(
            key: key, online: balancer.online(at: now), members: balancer.count,
            holders: balancer.members.compactMap { holders[$0] })
    }
}

/// A pool's size after a change, and the members to tell (`pool` control message).
struct PoolNews: Sendable {
    let key: PoolKey
    let online: Int
    let members: Int
    let holders: [ForwardRegistry.Holder]

    /// Tells every member's session (on its loop).
    func deliver() {
        for holder in holders {
            let (online, members, forwardID) = (online, members, holder.forwardID)
            holder.session.run { $0.tellPool(forwardID: forwardID, online: online, members: members) }
        }
    }
}
