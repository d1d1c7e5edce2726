import Testing
@testable import BurrowRelay

/// One admission for every port (HTTP, TLS, TCP): the checks come in one
/// order and each refusal has one metric name, so a relay shutting down is
/// counted the same whichever port the visitor came to (it was
/// `tunnel_offline` on the TLS port and not counted on the others).
@Suite struct VisitorAdmissionTests {
    @Test func checksComeInOrder() {
        var asked = false
        #expect(VisitorAdmission.precheck(accepting: false, addressAllowed: false, authorized: { asked = true; return false })?.metric == "shutting_down")
        #expect(VisitorAdmission.precheck(accepting: true, addressAllowed: false, authorized: { asked = true; return false })?.metric == "address_not_allowed")
        #expect(!asked)  // basic auth is not even looked at for a refused address
        #expect(VisitorAdmission.precheck(accepting: true, addressAllowed: true, authorized: { false })?.metric == "basic_auth")
        #expect(VisitorAdmission.precheck(accepting: true, addressAllowed: true, authorized: { true }) == nil)
    }

    @Test func eachRefusalHasOneMetricAndReason() {
        #expect(VisitorAdmission.Refusal.shuttingDown.reason == "the relay is shutting down")
        #expect(VisitorAdmission.Refusal.limit(.perMapping(3)).metric == "limit")
        #expect(VisitorAdmission.Refusal.limit(.perKey(2)).reason.contains("maxVisitorsPerKey"))
    }
}
