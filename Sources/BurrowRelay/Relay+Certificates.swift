import BurrowCertificates
import BurrowCore
import NIOCore

extension Relay {
    /// Certificate news reaches the log and the agent holding the name (an
    /// `https` message: pending, ready, or failed with the source's error);
    /// renewals and retries are checked every `tickInterval` (files: 5 s,
    /// ACME: a minute) until `shutdown` cancels the returned task.
    static func watchCertificates(_ certificates: CertificateManager, context: RelayContext, loop: any EventLoop) async -> RepeatedTask {
        let suffix = "." + context.configuration.domain.lowercased()
        await certificates.onStatus { host, status in
            context.log("certificate \(host): \(status)")
            // Not to a session of a relay that is stopping (its loops may be gone).
            guard host.hasSuffix(suffix), context.accepting.load(ordering: .relaxed) else { return }
            let name = String(host.dropLast(suffix.count))
            // Every member of a pooled name hears it; else the one serving.
            for holder in context.registry.httpServers(name) {
                holder.session.run { $0.tellHTTPS(name: name, HTTPSStatus(status, host: host)) }
            }
        }
        let interval = TimeAmount(certificates.tickInterval)
        return loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            Task { await certificates.tick() }
        }
    }
}

extension HTTPSStatus {
    /// The agent's view of a certificate manager's status (nil: no
    /// certificate covers the name, e.g. files for other names).
    init(_ status: CertificateStatus?, host: String) {
        switch status {
        case .pending: self = .pending
        case .ready: self = .ready
        case .failed(let reason, _): self = .failed(reason: reason)
        case nil: self = .failed(reason: "no certificate of this relay covers \(host)")
        }
    }
}

extension RelaySession {
    /// An HTTP mapping's URL when this relay terminates https for it (a
    /// certificate source and a TLS port): `https://NAME.DOMAIN[:PORT]`.
    func httpsURL(name: String) -> PublicURL? {
        let tlsPort = context.tlsPort.load(ordering: .relaxed)
        guard context.configuration.certificates != nil, tlsPort > 0 else { return nil }
        return PublicURL(scheme: "https", host: name + "." + context.configuration.domain, port: tlsPort)
    }

    /// The name was granted with an https URL: its certificate is asked for
    /// now (from a stored one or the local CA at once, from ACME in the
    /// background), and the agent told where it stands.
    func certificateWanted(name: String) {
        guard let certificates = context.configuration.certificates else { return }
        let host = name + "." + context.configuration.domain
        let session = handoff
        Task {
            await certificates.nameRegistered(host)
            let status = HTTPSStatus(await certificates.status(of: host), host: host)
            session.run { $0.tellHTTPS(name: name, status) }
        }
    }

    /// Tells the agent (and a banner) where the https certificate of the
    /// forward named `name` stands, under the name the agent forwarded it as.
    func tellHTTPS(name: String, _ status: HTTPSStatus) {
        guard !closed, let forward = forwards.values.first(where: { $0.httpName == name }) else { return }
        controlChannel?.send(.https(name: forward.bindHost, status: status))
        for banner in bannerChannels.values { banner.writeBanner("\(forward.url): \(status)\n") }
    }
}
