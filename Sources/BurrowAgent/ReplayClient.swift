import BurrowCore
import NIOCore
import NIOPosix

/// Sends one replayed request straight to a mapping's local service (as
/// `LocalDialer` dials it: plain TCP to the mapping's local address; HTTP
/// mappings take no PROXY header) and waits, bounded, for the answer.
enum ReplayClient {
    static let connectTimeout = TimeAmount.seconds(10)
    static let answerTimeout = TimeAmount.seconds(30)

    static func send(_ request: ByteBuffer, method: String, to local: LocalAddress, group: any EventLoopGroup,
                     answerTimeout: TimeAmount = ReplayClient.answerTimeout) async throws(InspectorError) -> ReplayResponseHandler.Response {
        let loop = group.next()
        let promise = loop.makePromise(of: ReplayResponseHandler.Response.self)
        do {
            let started = NIODeadline.now()
            let channel = try await ClientBootstrap(group: loop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ReplayResponseHandler(
                            method: method, started: started, timeout: answerTimeout, promise: promise))
                    }
                }
                .connect(host: local.host, port: local.port).get()
            channel.writeAndFlush(request).whenFailure { promise.fail($0) }
        } catch {
            promise.fail(error)
        }
        do {
            return try await promise.futureResult.get()
        } catch {
            throw .localServiceFailed(reason: "\(local): \(SSHTunnelConnection.describe(error))")
        }
    }
}
