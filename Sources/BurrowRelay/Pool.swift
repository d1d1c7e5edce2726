import NIOCore

/// One pooled name or port in `ForwardRegistry` (under its lock): the owner
/// every member must belong to, the members' holders, their balancing state,
/// and for a TCP pool the listener it owns (it outlives the member that bound
/// it, and closes with the last one).
///
/// A pool with an `instance` is one agent run's connections serving a
/// mapping together (issue 15): only that instance's connections join it,
/// nobody is told its size (it is no pool to the user), and another
/// instance of the owner takes it over as it would a single forward.
struct Pool: Sendable {
    let owner: String
    /// The mapping's name (the forwards' bind address): finds a TCP pool asked for with port 0.
    let label: String
    /// The agent run whose connections these are; nil for a pool the user asked for.
    let instance: String?
    /// An agent run's pool: the id its visitors count under in `VisitorGate`
    /// (its first member's forward id), so `maxVisitorsPerMapping` holds for
    /// the mapping, not per connection. nil for a user's pool (each member
    /// is a mapping of its own agent).
    private(set) var gateID: UInt64?
    var holders: [UInt64: ForwardRegistry.Holder] = [:]
    var balancer = PoolBalancer<UInt64>()
    var listener: (any Channel)?

    init(owner: String, label: String, instance: String? = nil) {
        self.owner = owner
        self.label = label
        self.instance = instance
    }

    /// The members' holders, in join order.
    var memberHolders: [ForwardRegistry.Holder] { balancer.members.compactMap { holders[$0] } }

    mutating func join(_ holder: ForwardRegistry.Holder) {
        if instance != nil, gateID == nil { gateID = holder.forwardID }
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
    func peek(_ key: PoolKey, at now: NIODeadline, on loop: (any EventLoop)? = nil) -> ForwardRegistry.Holder? {
        guard let id = balancer.peek(at: now, preferring: members(on: loop)), var holder = holders[id] else { return nil }
        holder.pool = key
        holder.gateID = gateID
        return holder
    }

    /// The members a visitor on `loop` prefers: for an agent run's
    /// connections (`instance`), those whose session runs on `loop`. None for
    /// a pool the user asked for: its members are different agents (maybe
    /// different services), and its visitors spread evenly by least open.
    func members(on loop: (any EventLoop)?) -> Set<UInt64> {
        guard let loop, instance != nil else { return [] }
        return Set(holders.values.filter { $0.session.loop === loop }.map(\.forwardID))
    }

    /// The pool's size for its members; an agent's own connections (`instance`) tell nobody.
    func news(_ key: PoolKey, at now: NIODeadline) -> PoolNews {
        PoolNews(
            key: key, online: balancer.online(at: now), members: balancer.count,
            holders: instance == nil ? memberHolders : [])
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
