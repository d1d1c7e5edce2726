import BurrowCore
import NIOCore
import NIOPosix
import NIOSSH

/// Wires one `forwarded-tcpip` channel (a visitor) to a new TCP connection to
/// the mapping's local address, on the same event loop, through a glue pair.
/// If the local service refuses, the visitor gets a `502` page (HTTP
/// mappings) and its channel is closed; `onLocalRefused` reports it.
enum VisitorBridge {
    typealias RefusalReport = @Sendable (_ mapping: String, _ local: LocalAddress, _ error: any Error) -> Void

    /// Runs on the child channel's event loop, inside NIOSSH's inbound child channel initializer.
    static func attach(
        _ child: Channel, route: Route, originator: SocketAddress, onLocalRefused: @escaping RefusalReport
    ) -> EventLoopFuture<Void> {
        let loop = child.eventLoop
        let (visitorSide, localSide) = GlueHandler.matchedPair()
        do {
            let sync = child.pipeline.syncOperations
            try sync.addHandler(SSHChannelDataCodec())
            try sync.addHandler(VisitorHandler(stats: route.stats, address: describe(originator)))
            if route.protocol == .http {
                try sync.addHandler(HTTPTap(stats: route.stats))
            }
            try sync.addHandler(visitorSide)
        } catch {
            return loop.makeFailedFuture(error)
        }
        let boundLocalSide = NIOLoopBound(localSide, eventLoop: loop)
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(10))
            .connect(host: route.local.host, port: route.local.port)
            .whenComplete { result in
                switch result {
                case .success(let local):
                    guard child.isActive else {
                        // The visitor left while we were connecting.
                        local.close(promise: nil)
                        return
                    }
                    do {
                        try local.pipeline.syncOperations.addHandler(boundLocalSide.value)
                    } catch {
                        local.close(promise: nil)
                        child.close(promise: nil)
                    }
                case .failure(let error):
                    onLocalRefused(route.mapping, route.local, error)
                    refuse(child, route: route)
                }
            }
        // Half-close must reach the glue as an event, not as a full close.
        return child.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
    }

    private static func refuse(_ child: Channel, route: Route) {
        guard route.protocol == .http else {
            child.close(promise: nil)
            return
        }
        let page = badGatewayPage(local: route.local)
        child.writeAndFlush(page).whenComplete { _ in child.close(promise: nil) }
    }

    /// The page a visitor sees when the local service does not answer.
    static func badGatewayPage(local: LocalAddress) -> ByteBuffer {
        let body = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>502 Bad Gateway</title></head>
            <body><h1>502 Bad Gateway</h1>
            <p>The Burrow tunnel reached this computer, but the local service on \(local) refused the connection.</p>
            <p>Start the service, or point the mapping at the right port.</p>
            </body></html>

            """
        let head = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\nX-Burrow-Error: local-service-refused\r\n\r\n"
        return ByteBuffer(string: head + body)
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
