import BurrowCertificates
import NIOCore
import NIOSSL
import NIOTLS

/// The TLS port's second path: a visitor whose SNI names an HTTP mapping is
/// decrypted here with the relay's certificate for that name and then goes
/// through exactly the HTTP port's pipeline (Host routing, access rules,
/// basic auth, the request log), told it came over https. The ClientHello the
/// SNI router read is handed to the TLS handler when the router removes itself.
enum TLSTermination {
    static func install(
        on channel: any Channel, host: String, certificates: CertificateManager, relay: RelayContext, offersACME: Bool = false
    ) -> EventLoopFuture<Void> {
        let visitor = channel.remoteAddress?.ipAddress ?? "?"
        // An ACME server validating this name (TLS-ALPN-01): it gets the
        // challenge certificate, completes the handshake and goes.
        if offersACME, let challenge = relay.configuration.challengeBoard?.alpnContext(name: host) {
            do {
                try channel.pipeline.syncOperations.addHandlers([
                    NIOSSLServerHandler(context: challenge), TLSHandshakeFailureHandler(relay: relay), CloseAfterHandshake(),
                ])
                return channel.eventLoop.makeSucceededVoidFuture()
            } catch {
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
        guard let serving = certificates.serving(host) else {
            relay.metrics.refused("certificate_pending")
            relay.log("TLS visitor \(visitor) asked for \(host): no certificate for it yet (https pending); closed")
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(RelayError.refused("no certificate for \(host)"))
        }
        do {
            try channel.pipeline.syncOperations.addHandlers([
                NIOSSLServerHandler(context: serving.context),
                TLSHandshakeFailureHandler(relay: relay),
            ])
            // HTTP/1.1 or HTTP/2, as ALPN decides once the handshake is done.
            try HTTP2Termination.install(on: channel, relay: relay, serverName: host)
            return channel.eventLoop.makeSucceededVoidFuture()
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
    }
}

/// A handshake that fails (old TLS version, no shared cipher, garbage) is
/// counted and the connection closed quietly: nothing is written in plain
/// text to a client that spoke TLS.
final class TLSHandshakeFailureHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let relay: RelayContext
    private var handshaken = false

    init(relay: RelayContext) {
        self.relay = relay
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { handshaken = true }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard error is NIOSSLError || error is BoringSSLError else {
            context.fireErrorCaught(error)
            return
        }
        if !handshaken { relay.metrics.refused("tls_handshake") }
        context.close(promise: nil)
    }
}

/// Behind a TLS-ALPN-01 answer: nothing is read after the handshake; the
/// connection closes once the validator has seen the certificate.
final class CloseAfterHandshake: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
