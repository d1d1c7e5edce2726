import BurrowCertificates
import BurrowCore
import NIOCore

extension Relay {
    /// Certificate news reaches the log and the agent holding the name (a
    /// `notice`: "https ready", or the ACME error); renewals and retries are
    /// checked every `tickInterval` (files: 5 s, ACME: a minute) until `shutdown` cancels the returned task.
    static func watchCertificates(_ certificates: CertificateManager, context: RelayContext, loop: any EventLoop) async -> RepeatedTask {
        let suffix = "." + context.configuration.domain.lowercased()
        await certificates.onStatus { host, status in
            context.log("certificate \(host): \(status)")
            // Not to a session of a relay that is stopping (its loops may be gone).
            guard host.hasSuffix(suffix), context.accepting.load(ordering: .relaxed) else { return }
            let name = String(host.dropLast(suffix.count))
            let problem: Bool
            if case .failed = status { problem = true } else { problem = false }
            context.registry.httpHolder(name)?.session.run { $0.tellAgent("\(host): \(status)", informational: !problem) }
        }
        let interval = TimeAmount(certificates.tickInterval)
        return loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            Task { await certificates.tick() }
        }
    }
}

extension RelaySession {
    /// An HTTP mapping's URL when this relay terminates https for it (a
    /// certificate source and a TLS port): `https://NAME.DOMAIN[:PORT]`,
    /// and its certificate is asked for now, when the name is registered.
    func httpsURL(name: String) -> PublicURL? {
        let tlsPort = context.tlsPort.load(ordering: .relaxed)
        guard let certificates = context.configuration.certificates, tlsPort > 0 else { return nil }
        let host = name + "." + context.configuration.domain
        Task { await certificates.nameRegistered(host) }
        return PublicURL(scheme: "https", host: host, port: tlsPort)
    }
}
