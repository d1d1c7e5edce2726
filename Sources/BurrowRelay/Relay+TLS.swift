import NIOCore
import NIOPosix

extension Relay {
    /// The TLS port: each visitor is routed by its ClientHello's SNI (`SNIRouter`).
    func bindTLS(group: MultiThreadedEventLoopGroup, context: RelayContext) async throws -> any Channel {
        let host = context.configuration.bindHost
        let port = context.configuration.tlsPort ?? 0
        do {
            return try await ServerBootstrap.visitorListener(group: group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // Over the per-IP rate: closed before a byte is read.
                        guard context.refuseByRate(channel, port: "TLS") == nil else { throw RelayError.refused("rate limited") }
                        try SNIRouter.install(on: channel, relay: context)
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw RelayError.bindFailed(what: "TLS", host: host, port: port, reason: "\(error)")
        }
    }
}
