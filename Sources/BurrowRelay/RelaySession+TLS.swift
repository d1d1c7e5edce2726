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
        chooseName(host: host, port: port, key: key, taken: { Set(self.forwards.values.compactMap(\.tlsName)) }, promise) { name in
            let url = PublicURL.forMapping(
                .tls, name: name, domain: self.context.configuration.domain, publicHost: self.context.configuration.domain,
                port: tlsPort)
            self.grantNamed(
                Forward(id: self.context.makeID(), bindHost: host, requestedPort: port, kind: .tls(name: name), url: url), key: key,
                promise)
        }
    }
}
