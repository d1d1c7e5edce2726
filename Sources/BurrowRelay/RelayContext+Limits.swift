import BurrowCore

extension RelayContext {
    /// A visitor limit refused a visitor of `holder`'s forward: the log and
    /// the owning agent hear it, once per interval per (limit, forward).
    func limitBit(_ refusal: VisitorGate.Refusal, holder: ForwardRegistry.Holder, url: String) {
        let subject = refusal.limit == "maxVisitorsPerKey" ? holder.key : "\(holder.mappingID)"
        guard let line = limitReporter.report(
            limit: refusal.limit, subject: subject, "refused a visitor of \(url): \(refusal.description)")
        else { return }
        holder.session.run { $0.tellAgent("limit \(refusal.limit): refused a visitor of \(url): \(line)") }
    }
}
