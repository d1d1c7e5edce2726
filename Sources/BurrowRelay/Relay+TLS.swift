import NIOCore
import NIOPosix

extension Relay {
    /// The TLS port: each visitor is routed by its ClientHello's SNI (`SNIRouter`).
    /// One listener per event loop, like the HTTP port: a TLS visitor is
    /// served on the loop that accepted it.
    func bindTLS(group: MultiThreadedEventLoopGroup, context: RelayContext) async throws -> [any Channel] {
        let host = context.configuration.bindHost
        let port = context.configuration.tlsPort ?? 0
        do {
            return try await PerLoopListener.make(group: group, host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Over the per-IP rate: closed before a byte is read.
                    guard context.refuseByRate(channel, port: "TLS") == nil else { throw RelayError.refused("rate limited") }
                    try SNIRouter.install(on: channel, relay: context)
                }
            }
        } catch {
            throw RelayError.bindFailed(what: "TLS", host: host, port: port, reason: "\(error)")
        }
    }
}
