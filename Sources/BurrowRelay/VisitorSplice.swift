import BurrowNIO
import NIOCore

/// Joins an admitted visitor to its tunnel, the same way on every port
/// (HTTP, TLS passthrough and termination, TCP): the owning session opens a
/// `forwarded-tcpip` channel with one half of a `GlueHandler` pair, the
/// other half goes on the visitor's channel. A tunnel that cannot open is
/// counted once, as `tunnel_offline`; the caller only renders it (a 502
/// page, or a close).
enum VisitorSplice {
    /// For visitors whose first bytes a router holds (HTTP, TLS): the visitor
    /// stops reading, and once the tunnel is up its half of the glue comes
    /// back (nil: offline) on the visitor's loop for the caller to put where
    /// its pipeline needs it (with `edgeHandlers`); the caller then turns
    /// `autoRead` back on, or calls `abandon()` on the glue if the visitor
    /// left meanwhile.
    static func open(
        _ visitor: any Channel, to holder: ForwardRegistry.Holder, relay: RelayContext,
        joined: @escaping @Sendable (LoopHandoff<GlueHandler>?) -> Void
    ) {
        visitor.eventLoop.assertInEventLoop()
        // Nothing more is read until the tunnel is up; the glue then decides.
        visitor.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in visitor.close(promise: nil) }
        let (visitorGlue, sshGlue) = GlueHandler.matchedPair(first: visitor.eventLoop, second: holder.session.loop)
        let visitorSide = LoopHandoff(visitorGlue, loop: visitor.eventLoop)
        request(LoopHandoff(sshGlue, loop: holder.session.loop), for: visitor, holder: holder, relay: relay) { opened in
            guard opened else {
                visitorSide.value.abandon()
                joined(nil)
                return
            }
            joined(visitorSide)
        }
    }

    /// For raw visitors (TCP): the edge handlers and the glue go on at once,
    /// in the accept; the glue keeps whatever arrives before the tunnel is up
    /// (even data and a half-close sent at once) and reads no more until its
    /// partner can take it.
    static func join(_ visitor: any Channel, to holder: ForwardRegistry.Holder, relay: RelayContext) throws {
        let (visitorGlue, sshGlue) = GlueHandler.matchedPair(first: visitor.eventLoop, second: holder.session.loop)
        try visitor.pipeline.syncOperations.addHandlers(edgeHandlers(holder, relay: relay) + [visitorGlue])
        request(LoopHandoff(sshGlue, loop: holder.session.loop), for: visitor, holder: holder, relay: relay) { opened in
            if !opened { visitor.close(promise: nil) }
        }
    }

    /// What sits nearest the visitor's socket once joined: the idle timeout
    /// (`visitorIdleTimeoutSeconds`) and the forward's bandwidth cap.
    static func edgeHandlers(_ holder: ForwardRegistry.Holder, relay: RelayContext) -> [any ChannelHandler] {
        let idle = VisitorIdleHandler(timeout: .fromSeconds(relay.limits.visitorIdleTimeoutSeconds))
        return [idle] + (holder.bandwidth.map { [BandwidthThrottle(bucket: $0)] } ?? [])
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
                        relay.metrics.refused("tunnel_offline")
                        done(false)
                        return
                    }
                    done(true)
                }
        }
    }
}
