@testable import BurrowAgent
import BurrowCore
import Testing

/// The per-mapping registration state machine as a value: every transition
/// and the actions it returns, with no connection (the way swift-nio-ssh
/// tests its SSHConnectionStateMachine).
@Suite struct RegistrationStateMachineTests {
    typealias Machine = RegistrationStateMachine

    static let burrow = Machine.Link(control: true, relayHost: "relay.localhost", relayDescription: "relay.localhost:2222")
    static let stockSSHD = Machine.Link(control: false, relayHost: "relay.localhost", relayDescription: "relay.localhost:22")
    static let url = PublicURL(scheme: "http", host: "web.relay.localhost", port: 8080)

    static func web(enabled: Bool = true, port: Int = 3000) -> Mapping {
        Mapping(name: "web", protocol: .http, local: LocalAddress(port: port), enabled: enabled)
    }

    static func tcp(remotePort: Int? = nil) -> Mapping {
        Mapping(name: "db", protocol: .tcp, local: LocalAddress(port: 5432), remotePort: remotePort)
    }

    /// A machine brought online on a Burrow relay; returns it with the request id used.
    static func online(_ mapping: Mapping = web(), ids: inout Machine.RequestIDs, boundPort: Int? = nil) -> Machine {
        var machine = Machine(mapping: mapping)
        _ = machine.connectionReady(burrow, ids: &ids)
        guard case .registering(let id) = machine.state else { fatalError("not registering: \(machine.state)") }
        _ = machine.registerAnswered(requestID: id, failure: nil)
        _ = machine.forwardGranted(requestID: id, boundPort: boundPort, link: burrow)
        _ = machine.forwarded(url: url, boundPort: boundPort ?? 0)
        return machine
    }

    @Test func aBurrowRelayHearsRegisterThenForwardThenAnnouncesTheURL() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web())
        #expect(machine.mappingState == .pending)
        #expect(machine.connectionReady(Self.burrow, ids: &ids) == [.sendRegister(MappingRegistration(Self.web()), requestID: 1)])
        #expect(machine.state == .registering(requestID: 1))
        #expect(machine.registerAnswered(requestID: 1, failure: nil) == [.sendForward(port: MappingProtocol.httpBindPort, requestID: 1)])
        #expect(machine.forwardGranted(requestID: 1, boundPort: nil, link: Self.burrow) == [])
        #expect(machine.mappingState == .pending)
        #expect(machine.forwarded(url: Self.url, boundPort: 0) == [.announceOnline(Self.url, local: LocalAddress(port: 3000))])
        #expect(machine.mappingState == .online)
        #expect(machine.publicURL == Self.url)
        // A repeated `forwarded` is not announced twice.
        #expect(machine.forwarded(url: Self.url, boundPort: 0) == [])
    }

    @Test func forwardedBeforeTheGrantIsOnlineAndTheLateGrantChangesNothing() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web())
        _ = machine.connectionReady(Self.burrow, ids: &ids)
        _ = machine.registerAnswered(requestID: 1, failure: nil)
        #expect(machine.forwarded(url: Self.url, boundPort: 0).count == 1)
        #expect(machine.forwardGranted(requestID: 1, boundPort: nil, link: Self.burrow) == [])
        #expect(machine.state == .online(url: Self.url, boundPort: nil))
    }

    @Test func aStockSSHDGetsTheForwardAtOnceAndTheURLFromTheGrant() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.tcp())
        #expect(machine.connectionReady(Self.stockSSHD, ids: &ids) == [.sendForward(port: 0, requestID: 1)])
        let url = PublicURL(scheme: "tcp", host: "relay.localhost", port: 40001)
        #expect(machine.forwardGranted(requestID: 1, boundPort: 40001, link: Self.stockSSHD)
            == [.announceOnline(url, local: LocalAddress(port: 5432))])
        #expect(machine.state == .online(url: url, boundPort: 40001))
    }

    @Test func rulesOrUDPOnAStockSSHDAreRefusedWithoutAsking() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Mapping(name: "dns", protocol: .udp, local: LocalAddress(port: 53)))
        let actions = machine.connectionReady(Self.stockSSHD, ids: &ids)
        guard case .announceRefused(let reason) = actions.first else {
            Issue.record("expected a refusal, got \(actions)")
            return
        }
        #expect(reason.contains("not a Burrow relay"))
        #expect(machine.mappingState == .refused(reason: reason))
    }

    @Test func aRefusedRegisterOfAMappingWithRulesIsARefusal() {
        var ids = Machine.RequestIDs()
        var mapping = Self.web()
        mapping.allow = [try! CIDR(parsing: "127.0.0.1/32")]
        var machine = Machine(mapping: mapping)
        _ = machine.connectionReady(Self.burrow, ids: &ids)
        #expect(machine.registerAnswered(requestID: 1, failure: "no") == [.announceRefused("no")])
        #expect(machine.mappingState == .refused(reason: "no"))
    }

    @Test func aRefusedRegisterOfAMappingWithoutRulesStillForwards() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web())
        _ = machine.connectionReady(Self.burrow, ids: &ids)
        #expect(machine.registerAnswered(requestID: 1, failure: "unknown message") == [.sendForward(port: MappingProtocol.httpBindPort, requestID: 1)])
    }

    @Test func anAnswerWithoutARequestIDMeansTheRegistrationInFlight() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web())
        _ = machine.connectionReady(Self.burrow, ids: &ids)
        #expect(machine.registerAnswered(requestID: nil, failure: nil).count == 1)
        #expect(machine.state == .forwarding(requestID: 1))
    }

    @Test func aFailedForwardIsRefusedWithTheReason() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web())
        _ = machine.connectionReady(Self.burrow, ids: &ids)
        _ = machine.registerAnswered(requestID: 1, failure: nil)
        #expect(machine.forwardFailed(requestID: 1, reason: "name taken") == [.announceRefused("name taken")])
        #expect(machine.mappingState == .refused(reason: "name taken"))
    }

    @Test func answersToAReplacedRegistrationChangeNothing() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web())
        _ = machine.connectionReady(Self.burrow, ids: &ids)  // register #1
        var moved = Self.web()
        moved.allow = [try! CIDR(parsing: "10.0.0.0/8")]
        // The rules changed before the relay answered: a new register (#2) at once (no forward to cancel).
        #expect(machine.change(to: moved, link: Self.burrow, ids: &ids) == [.sendRegister(MappingRegistration(moved), requestID: 2)])
        #expect(machine.registerAnswered(requestID: 1, failure: "late") == [])
        #expect(machine.state == .registering(requestID: 2))
        #expect(machine.registerAnswered(requestID: 2, failure: nil) == [.sendForward(port: MappingProtocol.httpBindPort, requestID: 2)])
        #expect(machine.forwardGranted(requestID: 1, boundPort: nil, link: Self.burrow) == [])
        #expect(machine.forwardFailed(requestID: 1, reason: "stale") == [])
        #expect(machine.state == .forwarding(requestID: 2))
    }

    /// The bug of issue 10: a mapping switched off and on again must cancel
    /// its forward, and the new forward must wait for that cancel.
    @Test func offAndOnAgainCancelsThenForwardsAfterTheCancelIsAnswered() {
        var ids = Machine.RequestIDs()
        var machine = Self.online(ids: &ids)
        #expect(machine.change(to: Self.web(enabled: false), link: Self.burrow, ids: &ids) == [.sendCancel(port: MappingProtocol.httpBindPort)])
        #expect(machine.mappingState == .disabled)
        #expect(machine.change(to: Self.web(), link: Self.burrow, ids: &ids) == [])
        #expect(machine.state == .cancelling)
        #expect(machine.mappingState == .pending)
        #expect(machine.cancelAnswered(link: Self.burrow, ids: &ids) == [.sendRegister(MappingRegistration(Self.web()), requestID: 2)])
    }

    @Test func aForwardInFlightIsCancelledWhenTheMappingIsSwitchedOff() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web())
        _ = machine.connectionReady(Self.burrow, ids: &ids)
        _ = machine.registerAnswered(requestID: 1, failure: nil)
        #expect(machine.change(to: Self.web(enabled: false), link: Self.burrow, ids: &ids) == [.sendCancel(port: MappingProtocol.httpBindPort)])
        #expect(machine.cancelAnswered(link: Self.burrow, ids: &ids) == [])
        #expect(machine.state == .idle)
    }

    @Test func aTCPForwardIsCancelledOnThePortTheRelayBound() {
        var ids = Machine.RequestIDs()
        var machine = Self.online(Self.tcp(), ids: &ids, boundPort: 40002)
        #expect(machine.change(to: Self.tcp(remotePort: 40100), link: Self.burrow, ids: &ids) == [.sendCancel(port: 40002)])
        #expect(machine.cancelAnswered(link: Self.burrow, ids: &ids).first == .sendRegister(MappingRegistration(Self.tcp(remotePort: 40100)), requestID: 2))
    }

    @Test func aUDPForwardIsCancelledOnThePortTheRelayBoundToo() {
        var ids = Machine.RequestIDs()
        let dns = Mapping(name: "dns", protocol: .udp, local: LocalAddress(port: 53))
        var machine = Self.online(dns, ids: &ids, boundPort: 40003)
        #expect(machine.withdraw() == [.sendCancel(port: 40003)])
        #expect(machine.cancelAnswered(link: nil, ids: &ids) == [])
        #expect(machine.state == .idle)
    }

    @Test func onlyTheLocalSideChangedKeepsTheForwardAndAnnouncesTheNewAddress() {
        var ids = Machine.RequestIDs()
        var machine = Self.online(ids: &ids)
        #expect(machine.change(to: Self.web(port: 4000), link: Self.burrow, ids: &ids) == [.announceOnline(Self.url, local: LocalAddress(port: 4000))])
        #expect(machine.mappingState == .online)
    }

    @Test func removingAnOnlineMappingCancelsAndForgetsItOnceTheRelayAnswers() {
        var ids = Machine.RequestIDs()
        var machine = Self.online(ids: &ids)
        #expect(machine.change(to: nil, link: Self.burrow, ids: &ids) == [.sendCancel(port: MappingProtocol.httpBindPort)])
        #expect(machine.cancelAnswered(link: Self.burrow, ids: &ids) == [.forget])
    }

    @Test func removingAMappingTheRelayDoesNotHoldForgetsItAtOnce() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web())
        #expect(machine.change(to: nil, link: nil, ids: &ids) == [.forget])
    }

    @Test func aMappingAddedBackWhileItsCancelIsInFlightRegistersAfterIt() {
        var ids = Machine.RequestIDs()
        var machine = Self.online(ids: &ids)
        _ = machine.change(to: nil, link: Self.burrow, ids: &ids)
        #expect(machine.change(to: Self.web(), link: Self.burrow, ids: &ids) == [])
        #expect(machine.cancelAnswered(link: Self.burrow, ids: &ids) == [.sendRegister(MappingRegistration(Self.web()), requestID: 2)])
    }

    @Test func aRefusalCarriedFromTheLastConnectionShowsUntilTheNextRegistration() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web(), refused: "name taken")
        #expect(machine.mappingState == .refused(reason: "name taken"))
        #expect(machine.connectionReady(Self.burrow, ids: &ids).count == 1)
        #expect(machine.mappingState == .pending)
    }

    @Test func aDisabledMappingRegistersNothing() {
        var ids = Machine.RequestIDs()
        var machine = Machine(mapping: Self.web(enabled: false))
        #expect(machine.connectionReady(Self.burrow, ids: &ids) == [])
        #expect(machine.mappingState == .disabled)
        #expect(machine.change(to: Self.web(), link: nil, ids: &ids) == [])  // not ready yet: registered when it is
        #expect(machine.connectionReady(Self.burrow, ids: &ids).count == 1)
    }

    @Test func aWithdrawnMappingIsNotRegisteredAgain() {
        var ids = Machine.RequestIDs()
        var machine = Self.online(ids: &ids)
        #expect(machine.withdraw() == [.sendCancel(port: MappingProtocol.httpBindPort)])
        #expect(machine.cancelAnswered(link: nil, ids: &ids) == [])
        #expect(machine.state == .idle)
    }
}
