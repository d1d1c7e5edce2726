import BurrowCore

/// One mapping's registration on one SSH connection, as a value: each state
/// carries its own data, and each transition is a pure function that returns
/// the actions its caller (`TunnelSession`) performs — send a `register`, a
/// `tcpip-forward` or a `cancel-tcpip-forward`, announce the mapping online or
/// refused. No sockets, no clocks: it is tested as a value.
///
/// A reply is matched to its request by the request id the state carries, so
/// a reply to a registration that a change has since replaced finds a state
/// that no longer expects it and changes nothing. A new forward never crosses
/// the cancel of the old one: the machine waits in `cancelling` for the
/// relay's answer.
struct RegistrationStateMachine: Sendable, Equatable {
    enum State: Sendable, Equatable {
        /// Nothing asked of the relay: disabled, or the connection is not ready.
        case idle
        /// `register` (kind and rules) sent; waiting for `registered`/`refused` with this id.
        case registering(requestID: Int)
        /// `tcpip-forward` sent; the relay may hold it from now on.
        case forwarding(requestID: Int)
        /// The forward was granted; waiting for the relay's `forwarded` (the URL).
        case granted(boundPort: Int?)
        case online(url: PublicURL, boundPort: Int?)
        /// `cancel-tcpip-forward` sent; the next forward waits for its answer.
        case cancelling
        case refused(reason: String)
    }

    enum Action: Sendable, Equatable {
        case sendRegister(MappingRegistration, requestID: Int)
        case sendForward(port: Int, requestID: Int)
        case sendCancel(port: Int)
        /// `also`: the mapping's other URL (plain http beside https).
        case announceOnline(PublicURL, local: LocalAddress, also: PublicURL? = nil)
        /// The https certificate's new state (an event: a notice, or an error when it failed).
        case announceHTTPS(HTTPSStatus)
        case announceRefused(String)
        /// The mapping was removed and the relay holds nothing for it: drop this machine.
        case forget
    }

    /// What the connection offers a registration once it is ready.
    struct Link: Sendable, Equatable {
        /// The relay speaks `burrow-control` (it welcomed us).
        var control: Bool
        /// The relay's host: the URL of a forward on a relay without control.
        var relayHost: String
        /// For messages: "host:port" or "embedded relay on …".
        var relayDescription: String
    }

    /// Request ids of one connection, never reused.
    struct RequestIDs: Sendable, Equatable {
        private var last = 0
        init() {}
        mutating func next() -> Int {
            last += 1
            return last
        }
    }

    private(set) var state: State
    /// What the mapping should be; nil once removed (kept until its cancel is answered).
    private(set) var mapping: Mapping?
    /// `forwarded`'s `alsoURL`, read through `alsoURL` (only while online).
    private var also: PublicURL?
    /// The relay's last `https` word on this grant, read through `https`.
    private var certificate: HTTPSStatus?

    /// `refused`: a refusal carried over from the previous connection, shown
    /// until this connection registers the mapping again.
    init(mapping: Mapping, refused reason: String? = nil) {
        self.mapping = mapping
        self.state = reason.map { .refused(reason: $0) } ?? .idle
    }

    // MARK: What it looks like

    var mappingState: MappingState {
        guard let mapping, mapping.enabled else { return .disabled }
        switch state {
        case .online: return .online
        case .refused(let reason): return .refused(reason: reason)
        case .idle, .registering, .forwarding, .granted, .cancelling: return .pending
        }
    }

    var publicURL: PublicURL? {
        if case .online(let url, _) = state { return url }
        return nil
    }

    /// The relay's second URL for the mapping while online (`forwarded`'s `alsoURL`).
    var alsoURL: PublicURL? {
        if case .online = state { return also }
        return nil
    }

    /// Where the https certificate stands while online (the relay's `https`).
    var https: HTTPSStatus? {
        if case .online = state { return certificate }
        return nil
    }

    /// The relay's `https` message: kept while online; a change is announced.
    mutating func httpsChanged(_ status: HTTPSStatus) -> [Action] {
        guard case .online = state, certificate != status else { return [] }
        certificate = status
        return [.announceHTTPS(status)]
    }

    var refusal: String? {
        if case .refused(let reason) = state { return reason }
        return nil
    }

    /// True when a change from `old` to `new` keeps the relay's forward as it is
    /// (only the local side or the display differ).
    static func keepsForward(from old: Mapping, to new: Mapping) -> Bool {
        old.enabled && new.enabled && old.protocol == new.protocol && old.remotePort == new.remotePort
            && MappingRegistration(old) == MappingRegistration(new)
    }

    // MARK: Transitions

    /// The connection became ready (welcomed, or no control session): register.
    mutating func connectionReady(_ link: Link, ids: inout RequestIDs) -> [Action] {
        switch state {
        case .idle, .refused: return start(link, ids: &ids)
        case .registering, .forwarding, .granted, .online, .cancelling: return []
        }
    }

    /// The mapping changed (nil: removed). `link` is nil while the connection is not ready.
    mutating func change(to new: Mapping?, link: Link?, ids: inout RequestIDs) -> [Action] {
        let old = mapping
        mapping = new
        if let old, let new, Self.keepsForward(from: old, to: new) {
            // Only the local side changed: new visitors go to the new address.
            if case .online(let url, _) = state, old.local != new.local { return [.announceOnline(url, local: new.local, also: also)] }
            return []
        }
        var actions = release(old)
        if state == .idle {
            if new == nil {
                actions.append(.forget)
            } else if let link {
                actions += start(link, ids: &ids)
            }
        }
        return actions
    }

    /// Withdraws the forward (graceful stop): nothing new is registered afterwards.
    mutating func withdraw() -> [Action] {
        release(mapping)
    }

    /// The relay answered `register` (`failure` nil: accepted). A relay that
    /// predates request ids answers with none: it means the registration in flight.
    mutating func registerAnswered(requestID: Int?, failure: String?) -> [Action] {
        guard case .registering(let current) = state, requestID == nil || requestID == current,
              let mapping else { return [] }
        if let failure, Self.needsRelayRules(mapping) {
            state = .refused(reason: failure)
            return [.announceRefused(failure)]
        }
        // A relay that cannot keep the rules of a mapping without any still forwards it.
        state = .forwarding(requestID: current)
        return [.sendForward(port: Self.requestedPort(mapping), requestID: current)]
    }

    mutating func forwardGranted(requestID: Int, boundPort: Int?, link: Link) -> [Action] {
        guard case .forwarding(let current) = state, current == requestID, let mapping else { return [] }
        let bound = boundPort.flatMap { $0 > 0 ? $0 : nil }
        if link.control {
            state = .granted(boundPort: bound)
            return []
        }
        // A relay without burrow-control (a stock sshd): the URL is what SSH says.
        let url = PublicURL.forMapping(mapping.protocol, name: mapping.name, domain: link.relayHost,
                                       publicHost: link.relayHost, port: bound ?? Self.requestedPort(mapping))
        state = .online(url: url, boundPort: bound)
        return [.announceOnline(url, local: mapping.local)]
    }

    mutating func forwardFailed(requestID: Int, reason: String) -> [Action] {
        guard case .forwarding(let current) = state, current == requestID else { return [] }
        state = .refused(reason: reason)
        return [.announceRefused(reason)]
    }

    /// The relay's `forwarded`: the mapping's public URL.
    mutating func forwarded(url: PublicURL, boundPort: Int, alsoURL: PublicURL? = nil) -> [Action] {
        guard let mapping, mapping.enabled else { return [] }
        let bound = boundPort > 0 ? boundPort : nil
        switch state {
        case .forwarding:
            also = alsoURL
            certificate = nil
            state = .online(url: url, boundPort: bound)
            return [.announceOnline(url, local: mapping.local, also: alsoURL)]
        case .granted(let granted):
            also = alsoURL
            certificate = nil
            state = .online(url: url, boundPort: bound ?? granted)
            return [.announceOnline(url, local: mapping.local, also: alsoURL)]
        case .online(_, let previous):
            also = alsoURL
            state = .online(url: url, boundPort: bound ?? previous)
            return []
        case .idle, .registering, .cancelling, .refused:
            return []
        }
    }

    /// The relay answered a `cancel-tcpip-forward` (either way).
    mutating func cancelAnswered(link: Link?, ids: inout RequestIDs) -> [Action] {
        guard state == .cancelling else { return [] }
        state = .idle
        guard mapping != nil else { return [.forget] }
        guard let link else { return [] }
        return start(link, ids: &ids)
    }

    // MARK: Helpers

    private mutating func start(_ link: Link, ids: inout RequestIDs) -> [Action] {
        guard let mapping, mapping.enabled else {
            state = .idle
            return []
        }
        let id = ids.next()
        if link.control {
            // The relay learns the mapping's kind and rules before its forward.
            state = .registering(requestID: id)
            return [.sendRegister(MappingRegistration(mapping), requestID: id)]
        }
        if Self.needsRelayRules(mapping) {
            let reason = "relay \(link.relayDescription) is not a Burrow relay: it cannot enforce access rules or carry UDP"
            state = .refused(reason: reason)
            return [.announceRefused(reason)]
        }
        state = .forwarding(requestID: id)
        return [.sendForward(port: Self.requestedPort(mapping), requestID: id)]
    }

    /// Gives up whatever the relay holds for `registered` (the mapping as it
    /// was registered, so the cancel names the old port).
    private mutating func release(_ registered: Mapping?) -> [Action] {
        switch state {
        case .forwarding:
            state = .cancelling
            return registered.map { [.sendCancel(port: Self.cancelPort($0, boundPort: nil))] } ?? []
        case .granted(let bound), .online(_, let bound):
            state = .cancelling
            return registered.map { [.sendCancel(port: Self.cancelPort($0, boundPort: bound))] } ?? []
        case .registering, .refused, .idle:
            state = .idle
            return []
        case .cancelling:
            return []
        }
    }

    static func needsRelayRules(_ mapping: Mapping) -> Bool {
        mapping.hasAccessRules || mapping.protocol == .udp
    }

    static func requestedPort(_ mapping: Mapping) -> Int {
        switch mapping.protocol {
        case .http: return MappingProtocol.httpBindPort
        case .tls: return MappingProtocol.tlsBindPort
        case .tcp, .udp: return mapping.remotePort ?? 0
        }
    }

    /// The port a `cancel-tcpip-forward` names: for tcp and udp the one the
    /// relay bound (it may have chosen it), else the requested one.
    static func cancelPort(_ mapping: Mapping, boundPort: Int?) -> Int {
        switch mapping.protocol {
        case .tcp, .udp: return boundPort ?? requestedPort(mapping)
        case .http, .tls: return requestedPort(mapping)
        }
    }
}
