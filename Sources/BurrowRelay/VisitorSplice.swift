import BurrowNIO
import NIOCore

/// Joins an admitted visitor to its tunnel, the same way on every port
/// (HTTP, TLS passthrough and termination, TCP): the visitor stops reading,
/// the owning session opens a `forwarded-tcpip` channel with one half of a
/// `GlueHandler` pair, and the other half comes back on the visitor's loop
/// for the caller to put where its pipeline needs it (behind an HTTP router,
/// or straight on the socket). A tunnel that cannot open is counted once,
/// as `tunnel_offline`; the caller only renders it (a 502 page, or a close).
enum VisitorSplice {
    /// Runs on the visitor's loop; `joined` does too. On success the caller
    /// adds the glue (and `edgeHandlers`) and turns `autoRead` back on; if it
    /// cannot (the visitor left meanwhile), it calls `abandon()` on the glue.
    static func open(
        _ visitor: any Channel, to holder: ForwardRegistry.Holder, relay: RelayContext,
        joined: @escaping @Sendable (LoopHandoff<GlueHandler>?) -> Void
    ) {
        visitor.eventLoop.assertInEventLoop()
        // Nothing more is read until the tunnel is up; the glue then decides.
        visitor.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in visitor.close(promise: nil) }
        let (visitorGlue, sshGlue) = GlueHandler.matchedPair(first: visitor.eventLoop, second: holder.session.loop)
        let visitorSide = LoopHandoff(visitorGlue, loop: visitor.eventLoop)
        let sshSide = LoopHandoff(sshGlue, loop: holder.session.loop)
        let originator = visitor.remoteAddress
        holder.session.run { session in
            session.openChannel(forwardID: holder.forwardID, originator: originator, glue: sshSide.value)
                .hop(to: visitor.eventLoop)
                .whenComplete { result in
                    guard case .success = result else {
                        relay.metrics.refused("tunnel_offline")
                        visitorSide.value.abandon()
                        joined(nil)
                        return
                    }
                    joined(visitorSide)
                }
        }
    }

    /// What sits nearest the visitor's socket once joined: the idle timeout
    /// (`visitorIdleTimeoutSeconds`) and the forward's bandwidth cap.
    static func edgeHandlers(_ holder: ForwardRegistry.Holder, relay: RelayContext) -> [any ChannelHandler] {
        let idle = VisitorIdleHandler(timeout: .fromSeconds(relay.limits.visitorIdleTimeoutSeconds))
        return [idle] + (holder.bandwidth.map { [BandwidthThrottle(bucket: $0)] } ?? [])
    }
}
