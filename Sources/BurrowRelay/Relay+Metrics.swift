import NIOCore
import NIOHTTP1
import NIOPosix

extension Relay {
    /// The metrics port (`/metrics`, `/healthz`), on `metricsHost` (127.0.0.1 by default).
    func bindMetrics(group: MultiThreadedEventLoopGroup, context: RelayContext) async throws -> any Channel {
        let host = context.configuration.metricsHost
        let port = context.configuration.metricsPort ?? 0
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsHandler(relay: context))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw RelayError.bindFailed(what: "metrics", host: host, port: port, reason: "\(error)")
        }
    }
}
