import NIOCore

/// Whether one visitor may go through to a mapping, decided the same way on
/// every port (HTTP, TLS passthrough and termination, TCP): the relay still
/// accepting, the mapping's address rules, HTTP's basic auth, then a slot at
/// the gate (visitors per key and per mapping). Each refusal is counted under
/// one metric name and logged in one shape wherever it happens; the caller
/// only renders it (a page, or a close). An admitted visitor's gate slot is
/// given back when its connection closes.
enum VisitorAdmission {
    enum Refusal {
        case shuttingDown
        case addressNotAllowed
        case unauthorized
        case limit(VisitorGate.Refusal)

        /// The `reason` label of `burrow_refusals_total`.
        var metric: String {
            switch self {
            case .shuttingDown: return "shutting_down"
            case .addressNotAllowed: return "address_not_allowed"
            case .unauthorized: return "basic_auth"
            case .limit: return "limit"
            }
        }

        var reason: String {
            switch self {
            case .shuttingDown: return "the relay is shutting down"
            case .addressNotAllowed: return "address not allowed"
            case .unauthorized: return "basic auth"
            case .limit(let refusal): return refusal.description
            }
        }
    }

    /// The checks before a gate slot, in their order (a value: tested as one).
    static func precheck(accepting: Bool, addressAllowed: Bool, authorized: () -> Bool) -> Refusal? {
        if !accepting { return .shuttingDown }
        if !addressAllowed { return .addressNotAllowed }
        if !authorized() { return .unauthorized }
        return nil
    }

    /// nil = admitted. `port` names the listener in the log ("HTTP", "TLS",
    /// "TCP"); `visitorID` lets the gate reap an idle kept-alive HTTP visitor;
    /// `authorized` is HTTP's basic-auth check, run before a slot is taken.
    static func admit(
        _ channel: any Channel, holder: ForwardRegistry.Holder, port: String, url: String, relay: RelayContext,
        visitorID: UInt64? = nil, authorized: () -> Bool = { true }
    ) -> Refusal? {
        let refusal: Refusal
        if let first = precheck(
            accepting: relay.accepting.load(ordering: .relaxed), addressAllowed: holder.policy.admits(channel.remoteAddress),
            authorized: authorized)
        {
            refusal = first
        } else if let limit = relay.visitorGate.admit(key: holder.key, forwardID: holder.mappingID) {
            // Limits are reported (and rate-limited in the log) by the limit reporter.
            relay.limitBit(limit, holder: holder, url: url)
            refusal = .limit(limit)
        } else {
            let gate = relay.visitorGate
            channel.closeFuture.whenComplete { _ in
                gate.release(key: holder.key, forwardID: holder.mappingID, visitor: visitorID)
            }
            return nil
        }
        relay.metrics.refused(refusal.metric)
        if case .limit = refusal {} else {
            relay.log("\(port) visitor \(channel.remoteAddress?.ipAddress ?? "?") refused for \(url): \(refusal.reason)")
        }
        return refusal
    }
}
