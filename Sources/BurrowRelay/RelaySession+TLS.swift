import BurrowCore
import NIOCore
import NIOSSH

/// TLS mappings: `tcpip-forward` with bind port 443 and the mapping's name;
/// visitors on the relay's TLS port are routed by the SNI of their
/// ClientHello (`SNIRouter`) and passed through unopened.
extension RelaySession {
    func listenTLS(host: String, key: String, promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>) {
        let port = MappingProtocol.tlsBindPort
        let tlsPort = context.tlsPort.load(ordering: .relaxed)
        guard tlsPort > 0 else {
            refuse(host: host, port: port, "this relay has no TLS port; start it with burrow serve --tls-port N", promise)
            return
        }
        var requested = host.lowercased()
        let suffix = "." + context.configuration.domain.lowercased()
        if requested.hasSuffix(suffix) { requested.removeLast(suffix.count) }
        let name: String
        do {
            if Self.unnamedHosts.contains(requested) {
                let taken = Set(forwards.values.compactMap(\.tlsName))
                name = try context.reservations.autoName(for: key, avoiding: taken)
            } else {
                try DNSLabel.validate(requested)
                if forwards.values.contains(where: { $0.tlsName == requested }) {
                    throw RelayError.refused("name '\(requested)' is already forwarded for TLS on this connection")
                }
                try context.reservations.claim(name: requested, for: key)
                name = requested
            }
        } catch let error as CoreError {
            refuse(host: host, port: port, error.description, promise)
            return
        } catch {
            refuse(host: host, port: port, "\(error)", promise)
            return
        }
        let url = PublicURL.forMapping(
            .tls, name: name, domain: context.configuration.domain, publicHost: context.configuration.domain, port: tlsPort)
        let forward = Forward(id: context.makeID(), bindHost: host, requestedPort: port, kind: .tls(name: name), url: url)
        forward.policy = policy(for: host)
        forward.bandwidth = context.limits.bandwidthBytesPerSecond.map(TokenBucket.init(bytesPerSecond:))
        forwards[forward.id] = forward
        let holder = ForwardRegistry.Holder(
            session: handoff, sessionID: id, forwardID: forward.id, key: key, bandwidth: forward.bandwidth, policy: forward.policy)
        if let previous = context.registry.claimTLS(name, holder) {
            previous.session.run { $0.standBy(forwardID: previous.forwardID) }
        }
        promise.succeed(.init(boundPort: nil))
        announce(forward)
    }
}
