import BurrowNIO
import NIOCore
import NIOTLS

/// Routes a visitor on the relay's TLS port by the server name in its
/// ClientHello. swift-nio's `SNIHandler` reads (and keeps) the first bytes
/// until it has the name; this router opens the owning session's
/// `forwarded-tcpip` channel and puts the glue behind it, and the SNIHandler
/// then removes itself and hands the bytes it read to the glue: the TLS
/// stream reaches the PC exactly as sent, never opened here (the certificate
/// and keys stay on the PC). No SNI, an unknown name, or an address the
/// mapping does not allow → the connection is closed and logged, never sent
/// to a default.
enum SNIRouter {
    static func install(on channel: any Channel, relay: RelayContext) throws {
        let loopChannel = NIOLoopBound(channel, eventLoop: channel.eventLoop)
        // A visitor that never finishes its ClientHello is let go (the same
        // deadline as an HTTP head: httpHeadTimeoutSeconds). Only until the
        // ClientHello is read: a routed connection lives as long as it moves
        // bytes (visitorIdleTimeoutSeconds), however long that is.
        let timeout = channel.eventLoop.scheduleTask(in: .fromSeconds(relay.limits.httpHeadTimeoutSeconds)) {
            loopChannel.value.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in timeout.cancel() }
        let sni = SNIHandler { result in
            timeout.cancel()
            return route(loopChannel.value, result, relay: relay)
        }
        // Only when the relay answers ACME's TLS-ALPN-01 on this port.
        if relay.configuration.challengeBoard != nil { try channel.pipeline.syncOperations.addHandler(ClientHelloPeek()) }
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(sni))
        relay.track(visitor: channel)
    }

    private static func route(_ channel: any Channel, _ result: SNIResult, relay: RelayContext) -> EventLoopFuture<Void> {
        // The ClientHello has been read: the peek (if any) has seen it and steps out.
        let peek = try? channel.pipeline.syncOperations.handler(type: ClientHelloPeek.self)
        let offersACME = peek?.offersACME ?? false
        if let peek { channel.pipeline.syncOperations.removeHandler(peek, promise: nil) }
        let visitor = channel.remoteAddress?.ipAddress ?? "?"
        guard case .hostname(let serverName) = result else {
            relay.metrics.refused("no_sni")
            return refuse(channel, relay, "TLS visitor \(visitor) sent no server name (SNI); closed")
        }
        let host = HTTPRouter.hostName(serverName)
        let suffix = "." + relay.configuration.domain.lowercased()
        guard host.hasSuffix(suffix), host.count > suffix.count else {
            relay.metrics.refused("unknown_name")
            return refuse(channel, relay, "TLS visitor \(visitor) asked for \(host), not a name under \(relay.configuration.domain); closed")
        }
        let name = String(host.dropLast(suffix.count))
        // A name held by an HTTP mapping is terminated here (https URLs); a TLS mapping's passes through.
        if relay.registry.tlsHolder(name) == nil, relay.registry.httpHolder(name) != nil,
           let certificates = relay.configuration.certificates {
            return TLSTermination.install(on: channel, host: host, certificates: certificates, relay: relay, offersACME: offersACME)
        }
        guard let holder = relay.registry.tlsHolder(name) else {
            relay.metrics.refused("unknown_name")
            return refuse(channel, relay, "TLS visitor \(visitor) asked for \(host): no TLS tunnel of that name is online; closed")
        }
        if let refusal = VisitorAdmission.admit(channel, holder: holder, port: "TLS", url: host, relay: relay) {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(RelayError.refused(refusal.reason))
        }
        let opened = channel.eventLoop.makePromise(of: Void.self)
        VisitorSplice.open(channel, to: holder, relay: relay) { glue in
            guard let glue = glue?.value else {
                opened.fail(RelayError.refused("tunnel offline"))
                relay.log("TLS visitor \(visitor) for \(host): the tunnel is offline; closed")
                channel.close(promise: nil)
                return
            }
            guard channel.isActive else {
                // The visitor left while the tunnel opened.
                opened.fail(RelayError.refused("visitor left"))
                glue.abandon()
                return
            }
            do {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandlers(VisitorSplice.edgeHandlers(holder, relay: relay), position: .first)
                try pipeline.addHandlers([FirstReadFlusher(), glue])
                opened.succeed()
                channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            } catch {
                opened.fail(error)
                glue.abandon()
                channel.close(promise: nil)
            }
        }
        return opened.futureResult
    }

    /// Logs and closes; the failed future keeps the SNIHandler from handing anything on.
    private static func refuse(_ channel: any Channel, _ relay: RelayContext, _ line: String) -> EventLoopFuture<Void> {
        relay.log(line)
        channel.close(promise: nil)
        return channel.eventLoop.makeFailedFuture(RelayError.refused(line))
    }
}
