import BurrowCore
import BurrowNIO
import NIOCore
import NIOSSH

/// Builds a visitor's pipeline on its `forwarded-tcpip` channel:
/// visitor (codec, byte counter, record) → (HTTP tap) → local dialer → glue.
/// The dialer connects to the mapping's local address on the same event loop,
/// so the glue pair splices without locks or hops, and then leaves the pipeline.
enum VisitorBridge {
    typealias RefusalReport = @Sendable (_ mapping: String, _ local: LocalAddress, _ error: any Error) -> Void

    /// Runs on the child channel's event loop, inside NIOSSH's inbound child channel initializer.
    static func attach(
        _ child: Channel, route: Route, originator: SocketAddress, onLocalRefused: @escaping RefusalReport
    ) -> EventLoopFuture<Void> {
        guard route.pool, route.protocol != .udp else {
            return attach(child, route: route, originator: originator, onLocalRefused: onLocalRefused, connected: nil)
        }
        // A pool member dials first: a refusal fails the channel's open, and
        // the relay offers the visitor to another member instead of a 502.
        let loop = child.eventLoop
        return LocalDialer.connect(route.local, on: loop, autoRead: false).flatMapError { error in
            route.stats.localDialed(succeeded: false)
            onLocalRefused(route.mapping, route.local, error)
            return loop.makeFailedFuture(error)
        }.flatMap { local in
            let attached = attach(child, route: route, originator: originator, onLocalRefused: onLocalRefused, connected: local)
            attached.whenFailure { _ in local.close(promise: nil) }
            return attached
        }
    }

    private static func attach(
        _ child: Channel, route: Route, originator: SocketAddress, onLocalRefused: @escaping RefusalReport,
        connected: (any Channel)?
    ) -> EventLoopFuture<Void> {
        let (visitorSide, localSide) = GlueHandler.matchedPair(first: child.eventLoop, second: child.eventLoop)
        do {
            let sync = child.pipeline.syncOperations
            let address = describe(originator)
            let visitor = route.stats.visitorOpened(address: address)
            // Added at once, so whatever happens next, the record is closed.
            try sync.addHandler(VisitorHandler(stats: route.stats, id: visitor.id, tally: visitor.tally))
            if route.protocol == .udp {
                // A UDP flow: framed datagrams to and from a socket of its own.
                try sync.addHandler(ByteToMessageHandler(DatagramFrameDecoder()))
                try sync.addHandler(UDPFlowBridge(route: route))
                return child.eventLoop.makeSucceededVoidFuture()
            }
            if route.protocol == .http {
                try sync.addHandler(HTTPTap(stats: route.stats, mapping: route.mapping, visitor: address))
            }
            try sync.addHandler(
                LocalDialer(route: route, localSide: localSide, onRefused: onLocalRefused, originator: originator, connected: connected))
            try sync.addHandler(visitorSide)
        } catch {
            return child.eventLoop.makeFailedFuture(error)
        }
        // Half-close must reach the glue as an event, not as a full close.
        return child.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
    }

    static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v4, .v6:
            if let ip = address.ipAddress, let port = address.port {
                return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
            }
            return "\(address)"
        case .unixDomainSocket:
            return "unix"
        }
    }
}
