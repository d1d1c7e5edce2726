import BurrowCore
import NIOCore
import NIOSSH

/// Pools (issue 16): several connections of one owner serve one name or
/// TCP port at once. What the registry decides (`ForwardRegistry`,
/// `PoolBalancer`) is carried out here for this session's forwards: joining
/// a TCP pool, the agent's `service` reports, and telling the agent (or the
/// `ssh -R` user) the pool's size.
extension RelaySession {
    /// Whether the forward of `host` asks for a pool: true/false as the
    /// agent registered it; not registered (a stock `ssh -R`): true for a key
    /// with `burrow-pool` in `authorized_keys`, else nil (it joins the
    /// owner's pool of the name if there is one, else serves alone).
    func poolFlag(for host: String) -> Bool? {
        registrations[host]?.pool ?? (poolsUnregistered ? true : nil)
    }

    /// Whether the key with `fingerprint` belongs to this session's owner.
    var sameOwner: @Sendable (String) -> Bool {
        let (context, owner) = (context, owner)
        return { context.owner(ofKey: $0) == owner }
    }

    /// A TCP forward that joins an existing pool instead of binding: the
    /// owner's pool of this port (or of this mapping name, for port 0).
    /// True when the request was answered here (joined or refused).
    func joinTCPPool(
        host: String, port: Int, key: String, promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>
    ) -> Bool {
        let flag = poolFlag(for: host)
        let registry = context.registry
        let existing = port != 0 ? (registry.tcpPoolOwner(port) != nil ? port : nil) : registry.tcpPoolPort(owner: owner, label: host)
        guard let pooledPort = existing else { return false }
        guard registry.tcpPoolOwner(pooledPort) == owner else {
            refuse(host: host, port: port, "TCP port \(pooledPort) is served by another owner's pool on this relay; ask for port 0 to get a free one", promise)
            return true
        }
        if let group = registry.tcpGroup(pooledPort) {
            // One agent run's connections (issue 15): its next connection
            // joins; another run takes the port over (`bindFirst` evicts).
            guard let instance, group.instance == instance else { return false }
            let bandwidth = context.limits.bandwidthBytesPerSecond.map(TokenBucket.init(bytesPerSecond:))
            grantPooledTCP(
                bound: pooledPort, id: context.makeID(), host: host, port: port, listener: nil, key: key, policy: policy(for: host),
                bandwidth: bandwidth, group: instance, promise)
            return true
        }
        if flag == false {
            guard port != 0 else { return false }  // a port of its own
            refuse(host: host, port: port, "TCP port \(port) is pooled on this relay: mark this mapping pool (burrow map add … --pool) to serve it with the others, or ask for another port", promise)
            return true
        }
        let bandwidth = context.limits.bandwidthBytesPerSecond.map(TokenBucket.init(bytesPerSecond:))
        grantPooledTCP(
            bound: pooledPort, id: context.makeID(), host: host, port: port, listener: nil, key: key, policy: policy(for: host),
            bandwidth: bandwidth, promise)
        return true
    }

    /// Grants a pooled TCP forward: the first member hands the listener it
    /// bound to the pool (`listener`), later ones join without one.
    /// `group`: the instance of an agent run whose connections share the port (no pool to the user).
    func grantPooledTCP(
        bound: Int, id forwardID: UInt64, host: String, port: Int, listener: (any Channel)?, key: String,
        policy: AccessPolicy, bandwidth: TokenBucket?, group: String? = nil,
        _ promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>
    ) {
        let url = PublicURL.forMapping(
            .tcp, name: host, domain: context.configuration.domain, publicHost: context.configuration.domain, port: bound)
        let forward = Forward(id: forwardID, bindHost: host, requestedPort: port, kind: .tcp(port: bound), url: url)
        forward.bandwidth = bandwidth
        forward.policy = policy
        forward.pooled = true
        let holder = ForwardRegistry.Holder(
            session: handoff, sessionID: id, forwardID: forwardID, key: key, bandwidth: bandwidth, policy: policy, owner: owner,
            instance: instance)
        forwards[forwardID] = forward
        let news: PoolNews
        if let listener {
            news = context.registry.startTCPPool(bound, holder, label: host, listener: listener, instance: group)
        } else if let joined = context.registry.joinTCPPool(bound, holder) {
            news = joined
        } else {
            forwards[forwardID] = nil
            refuse(host: host, port: port, "TCP port \(bound)'s pool closed meanwhile; ask again", promise)
            return
        }
        promise.succeed(.init(boundPort: port == 0 ? bound : nil))
        announce(forward)
        if group == nil {
            context.log("\(who): \(forward.url) pooled (\(news.online)/\(news.members) members online)")
        } else if news.members > 1 {
            context.log("\(who): \(forward.url) served by \(news.members) connections of this agent")
        }
        news.deliver()
    }

    /// A visitor on a pool's TCP listener (on the loop of the session that
    /// bound it, which may have left since): routed by port to a member.
    static func acceptPooledVisitor(_ visitor: any Channel, port: Int, context: RelayContext) throws {
        guard context.refuseByRate(visitor, port: "TCP") == nil else { throw RelayError.refused("rate limited") }
        guard let holder = context.registry.tcpHolder(port) else { throw RelayError.refused("the tunnel is offline") }
        let url = "tcp://\(context.configuration.domain):\(port)"
        if let refusal = VisitorAdmission.admit(visitor, holder: holder, port: "TCP", url: url, relay: context) {
            throw RelayError.refused(refusal.reason)
        }
        context.track(visitor: visitor)
        try VisitorSplice.join(visitor, to: holder, relay: context)
    }

    /// The agent's `service` report for its mapping `name`: a pooled forward
    /// leaves the rotation while its local service is down and rejoins when
    /// it is up. Visitors already on it stay.
    func serviceChanged(name: String, up: Bool) {
        for forward in forwards.values where forward.bindHost == name && forward.pooled {
            guard let key = forward.poolKey else { continue }
            context.log("\(who): the local service of \(forward.url) is \(up ? "up: back in its pool" : "down: out of its pool until it is up")")
            let news = up
                ? context.registry.memberUp(key, forwardID: forward.id)
                : context.registry.memberDown(key, forwardID: forward.id, until: nil)
            news?.deliver()
        }
    }

    /// The pool of `forwardID` changed size: tell the agent (`pool`) or the human (a banner line).
    func tellPool(forwardID: UInt64, online: Int, members: Int) {
        guard let forward = forwards[forwardID] else { return }
        controlChannel?.send(.pool(name: forward.bindHost, online: online, members: members))
        for banner in bannerChannels.values { banner.writeBanner("\(forward.url): pool \(online)/\(members) members online\n") }
    }
}

extension Forward {
    /// The registry key of a pooled forward.
    var poolKey: PoolKey? {
        guard pooled else { return nil }
        switch kind {
        case .http(let name): return .http(name)
        case .tls(let name): return .tls(name)
        case .tcp(let port): return .tcp(port)
        case .udp: return nil
        }
    }
}
