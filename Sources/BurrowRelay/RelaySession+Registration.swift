import BurrowCore

/// The `register` control message: an agent says what a name it is about to
/// forward is (its protocol) and which access rules the relay must enforce.
extension RelaySession {
    /// Registrations one connection may hold (one per mapping it forwards).
    static let maximumRegistrations = 256

    /// Answers echo `requestID` so the agent matches them to this very request.
    func register(_ registration: MappingRegistration, requestID: Int? = nil, reply: (RelayMessage) -> Void) {
        if let keyLimitRefusal {
            reply(.refused(bindHost: registration.name, bindPort: 0, reason: keyLimitRefusal, requestID: requestID))
            return
        }
        guard registrations[registration.name] != nil || registrations.count < Self.maximumRegistrations else {
            reply(.refused(bindHost: registration.name, bindPort: 0, reason: "too many registered mappings on one connection", requestID: requestID))
            return
        }
        if registration.basicAuth != nil, registration.protocol != .http {
            reply(.refused(bindHost: registration.name, bindPort: 0, reason: "basic auth applies to http mappings only", requestID: requestID))
            return
        }
        if registration.pool, registration.protocol == .udp {
            reply(.refused(bindHost: registration.name, bindPort: 0, reason: "pools spread http, tls and tcp visitors; not udp (yet)", requestID: requestID))
            return
        }
        registrations[registration.name] = registration
        let policy = AccessPolicy(registration)
        context.log("\(who): registered \(registration.protocol) mapping '\(registration.name)'\(registration.pool ? " in a pool" : "") (\(policy.summary))")
        reply(.registered(name: registration.name, requestID: requestID))
    }

    /// The rules for a forward of `host` (the bind address, the mapping's name).
    func policy(for host: String) -> AccessPolicy {
        registrations[host].map(AccessPolicy.init) ?? .open
    }
}
