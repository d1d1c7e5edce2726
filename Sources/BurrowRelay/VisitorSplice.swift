import BurrowNIO
import NIOCore

/// Joins an admitted visitor to its tunnel, the same way on every port
/// (HTTP, TLS passthrough and termination, TCP): the owning session opens a
/// `forwarded-tcpip` channel with one half of a `GlueHandler` pair, the
/// other half goes on the visitor's channel. A tunnel that cannot open is
/// counted once, as `tunnel_offline`; the caller only renders it (a 502
/// page, or a close).
///
/// A pooled holder (`holder.pool`) names a pool, not a member: the member is
/// picked here (fewest open visitors, ties round-robin) and the visitor
/// counts on it until it closes. An HTTP or TLS visitor whose channel a
/// member refuses (its agent is gone, or its local service refused the dial)
/// is tried on the next member before it sees an error page; that member
/// sits out a moment (`refusedMemberPause`).
enum VisitorSplice {
    /// Members an HTTP or TLS visitor is offered to before it gets the offline page.
    static let maximumAttempts = 4
    /// How long a member that refused a channel gets no visitors (its agent,
    /// if it is Burrow's, says `service up` sooner).
    static let refusedMemberPause = TimeAmount.seconds(2)

    /// For visitors whose first bytes a router holds (HTTP, TLS): the visitor
    /// stops reading, and once the tunnel is up its half of the glue comes
    /// back (nil: offline) on the visitor's loop for the caller to put where
    /// its pipeline needs it (with `edgeHandlers`); the caller then turns
    /// `autoRead` back on, or calls `abandon()` on the glue if the visitor
    /// left meanwhile. `pauseReading` false: the caller holds the visitor's
    /// reads itself until then (the HTTP router) and `autoRead` stays on.
    static func open(
        _ visitor: any Channel, to holder: ForwardRegistry.Holder, relay: RelayContext, pauseReading: Bool = true,
        joined: @escaping @Sendable (LoopHandoff<GlueHandler>?) -> Void
    ) {
        visitor.eventLoop.assertInEventLoop()
        // Nothing more is read until the tunnel is up; the glue then decides.
        if pauseReading {
            visitor.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in visitor.close(promise: nil) }
        }
        attempt(visitor, holder: holder, relay: relay, tried: [], joined: joined)
    }

    private static func attempt(
        _ visitor: any Channel, holder: ForwardRegistry.Holder, relay: RelayContext, tried: Set<UInt64>,
        joined: @escaping @Sendable (LoopHandoff<GlueHandler>?) -> Void
    ) {
        guard let member = member(for: visitor, holder: holder, relay: relay, excluding: tried) else {
            relay.metrics.refused("tunnel_offline")
            joined(nil)
            return
        }
        let (visitorGlue, sshGlue) = GlueHandler.matchedPair(first: visitor.eventLoop, second: member.session.loop)
        let visitorSide = LoopHandoff(visitorGlue, loop: visitor.eventLoop)
        request(LoopHandoff(sshGlue, loop: member.session.loop), for: visitor, holder: member, relay: relay) { opened in
            guard opened else {
                if let key = holder.pool {
                    refused(key, member: member, relay: relay)
                    if tried.count + 1 < maximumAttempts, visitor.isActive {
                        attempt(visitor, holder: holder, relay: relay, tried: tried.union([member.forwardID]), joined: joined)
                        return
                    }
                }
                visitorSide.value.abandon()
                relay.metrics.refused("tunnel_offline")
                joined(nil)
                return
            }
            countOpen(visitor, member: member, relay: relay)
            joined(visitorSide)
        }
    }

    /// For raw visitors (TCP): the edge handlers and the glue go on at once,
    /// in the accept; the glue keeps whatever arrives before the tunnel is up
    /// (even data and a half-close sent at once) and reads no more until its
    /// partner can take it. (So a pooled TCP visitor is not offered to a
    /// second member: its glue closes with the first one's refused channel.)
    static func join(_ visitor: any Channel, to holder: ForwardRegistry.Holder, relay: RelayContext) throws {
        guard let member = member(for: visitor, holder: holder, relay: relay, excluding: []) else {
            relay.metrics.refused("tunnel_offline")
            throw RelayError.refused("the tunnel is offline")
        }
        let (visitorGlue, sshGlue) = GlueHandler.matchedPair(first: visitor.eventLoop, second: member.session.loop)
        try visitor.pipeline.syncOperations.addHandlers(edgeHandlers(holder, relay: relay) + [visitorGlue])
        request(LoopHandoff(sshGlue, loop: member.session.loop), for: visitor, holder: member, relay: relay) { opened in
            guard opened else {
                if let key = holder.pool { refused(key, member: member, relay: relay) }
                relay.metrics.refused("tunnel_offline")
                visitor.close(promise: nil)
                return
            }
            countOpen(visitor, member: member, relay: relay)
        }
    }

    /// What sits nearest the visitor's socket once joined: the idle timeout
    /// (`visitorIdleTimeoutSeconds`) and the forward's bandwidth cap.
    static func edgeHandlers(_ holder: ForwardRegistry.Holder, relay: RelayContext) -> [any ChannelHandler] {
        let idle = VisitorIdleHandler(timeout: .fromSeconds(relay.limits.visitorIdleTimeoutSeconds))
        return [idle] + (holder.bandwidth.map { [BandwidthThrottle(bucket: $0)] } ?? [])
    }

    /// The holder itself, or for a pool the member picked now; the visitor
    /// counts on that member until its channel closes.
    private static func member(
        for visitor: any Channel, holder: ForwardRegistry.Holder, relay: RelayContext, excluding: Set<UInt64>
    ) -> ForwardRegistry.Holder? {
        guard let key = holder.pool else { return excluding.isEmpty ? holder : nil }
        // Counted at once, so visitors arriving together spread; given back on refusal or close.
        return relay.registry.pick(key, excluding: excluding, on: visitor.eventLoop)
    }

    /// A pooled visitor's channel opened on `member`: it counts there until it closes.
    private static func countOpen(_ visitor: any Channel, member: ForwardRegistry.Holder, relay: RelayContext) {
        guard let key = member.pool else { return }
        let registry = relay.registry
        visitor.closeFuture.whenComplete { _ in registry.finished(key, forwardID: member.forwardID) }
    }

    /// A member refused the visitor's channel: it no longer counts the
    /// visitor, and sits out a moment.
    private static func refused(_ key: PoolKey, member: ForwardRegistry.Holder, relay: RelayContext) {
        relay.registry.finished(key, forwardID: member.forwardID)
        _ = relay.registry.memberDown(key, forwardID: member.forwardID, until: .now() + refusedMemberPause)
    }

    /// Asks the owning session for the channel; `done` runs on the visitor's loop.
    private static func request(
        _ sshGlue: LoopHandoff<GlueHandler>, for visitor: any Channel, holder: ForwardRegistry.Holder, relay: RelayContext,
        done: @escaping @Sendable (Bool) -> Void
    ) {
        let originator = visitor.remoteAddress
        holder.session.run { session in
            session.openChannel(forwardID: holder.forwardID, originator: originator, glue: sshGlue.value)
                .hop(to: visitor.eventLoop)
                .whenComplete { result in
                    guard case .success = result else {
                        done(false)
                        return
                    }
                    done(true)
                }
        }
    }
}
