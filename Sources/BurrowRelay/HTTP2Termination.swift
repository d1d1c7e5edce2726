import NIOCore
import NIOHTTP2
import NIOTLS

/// What a terminated https visitor speaks after its TLS handshake, by the
/// protocol ALPN chose: `h2` → HTTP/2, each stream one HTTP/1.1 request
/// through the HTTP port's pipeline (`HTTP2StreamBridge` in front of
/// `HTTPRouter` on the stream's own channel); `http/1.1` or no ALPN → that
/// pipeline on the connection itself, exactly as on the HTTP port (WebSocket
/// upgrades included). The agent's side is HTTP/1.1 either way.
public enum HTTP2Termination {
    /// What the relay's terminating TLS contexts offer, in order of preference.
    public static let alpnProtocols = ["h2", "http/1.1"]

    /// Streams one visitor connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS).
    static let maxConcurrentStreams = 100
    /// Flow-control window per stream: what one stream may have in flight
    /// towards the relay before the agent's side takes it (memory per stream).
    static let streamWindow = 256 * 1024
    /// The connection's window, shared by its streams.
    static let connectionWindow = 2 * 1024 * 1024

    /// Behind the TLS handler (called by `TLSTermination`).
    static func install(on channel: any Channel, relay: RelayContext, serverName: String) throws {
        // The handshake is bounded by the head deadline, as the HTTP/1.1
        // pipeline installed before it used to bound it.
        let loopChannel = NIOLoopBound(channel, eventLoop: channel.eventLoop)
        let deadline = channel.eventLoop.scheduleTask(in: .fromSeconds(relay.limits.httpHeadTimeoutSeconds)) {
            loopChannel.value.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in deadline.cancel() }
        let negotiation = ApplicationProtocolNegotiationHandler { result, channel in
            deadline.cancel()
            return channel.eventLoop.makeCompletedFuture {
                if case .negotiated(let name) = result, name == "h2" {
                    try configureHTTP2(on: channel, relay: relay, serverName: serverName)
                } else {
                    try HTTPRouter.install(on: channel, relay: relay, scheme: "https", serverName: serverName)
                }
            }
        }
        try channel.pipeline.syncOperations.addHandler(negotiation)
    }

    static func configureHTTP2(on channel: any Channel, relay: RelayContext, serverName: String) throws {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: relay.limits.httpHeadMaxBytes),
            HTTP2Setting(parameter: .initialWindowSize, value: streamWindow),
        ]
        connection.targetWindowSize = connectionWindow
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = streamWindow
        let idle = HTTP2ConnectionIdleHandler(
            firstStreamTimeout: .fromSeconds(relay.limits.httpHeadTimeoutSeconds),
            idleTimeout: .fromSeconds(relay.limits.httpKeepAliveTimeoutSeconds))
        let streams = HTTP2ConnectionIdleHandler.Streams(handler: NIOLoopBound(idle, eventLoop: channel.eventLoop))
        let pipeline = channel.pipeline.syncOperations
        _ = try pipeline.configureHTTP2Pipeline(
            mode: .server, connectionConfiguration: connection, streamConfiguration: stream, streamDelegate: streams
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                try installStream(on: stream, relay: relay, serverName: serverName)
            }
        }
        try pipeline.addHandler(idle)
    }

    /// One stream: the bridge, then the HTTP port's pipeline. The handlers
    /// that must see every byte of the visitor (idle timer, bandwidth) go
    /// right behind the bridge, where the bytes are HTTP/1.1.
    static func installStream(on stream: any Channel, relay: RelayContext, serverName: String) throws {
        let bridge = HTTP2StreamBridge(maximumHead: relay.limits.httpHeadMaxBytes)
        try stream.pipeline.syncOperations.addHandler(bridge)
        try HTTPRouter.install(on: stream, relay: relay, scheme: "https", serverName: serverName, socketSide: .after(bridge))
    }
}
