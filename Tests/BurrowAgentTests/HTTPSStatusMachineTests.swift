@testable import BurrowAgent
import BurrowCore
import Testing

/// The relay's `https` word on a mapping's certificate, in the registration
/// state machine: kept while online, announced on change, dropped with a new grant.
@Suite struct HTTPSStatusMachineTests {
    typealias Machine = RegistrationStateMachine

    @Test func pendingThenReadyIsAnnouncedOnceEachAndShownWhileOnline() {
        var ids = Machine.RequestIDs()
        var machine = RegistrationStateMachineTests.online(ids: &ids)
        #expect(machine.https == nil)
        #expect(machine.httpsChanged(.pending) == [.announceHTTPS(.pending)])
        #expect(machine.httpsChanged(.pending) == [], "the same word twice is not news")
        #expect(machine.https == .pending)
        #expect(machine.httpsChanged(.ready) == [.announceHTTPS(.ready)])
        #expect(machine.https == .ready)
    }

    @Test func notOnlineNothingIsKept() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: RegistrationStateMachineTests.web())
        _ = machine.connectionReady(RegistrationStateMachineTests.burrow, ids: &ids)
        #expect(machine.httpsChanged(.failed(reason: "rate limited")) == [])
        #expect(machine.https == nil)
    }

    @Test func theCodecCarriesTheStateAndTheReason() throws {
        for status: HTTPSStatus in [.pending, .ready, .failed(reason: "urn:ietf:params:acme:error:dns: no such name")] {
            let line = ControlCodec.encode(.https(name: "web", status: status))
            #expect(try ControlCodec.decodeRelayMessage(line) == .https(name: "web", status: status), "\(line)")
        }
        #expect(throws: CoreError.self) { try ControlCodec.decodeRelayMessage(#"{"type":"https","name":"web","state":"maybe"}"#) }
    }
}
