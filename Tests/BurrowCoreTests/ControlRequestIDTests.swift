@testable import BurrowCore
import Testing

/// Request ids on `register` / `registered` / `refused`, and the relay's
/// `requestRefused` report: round trips, and lines without ids still decode.
@Suite struct ControlRequestIDTests {
    @Test func idsTravelOnRegisterAndItsAnswers() throws {
        let register = ControlCodec.encode(AgentMessage.register(MappingRegistration(name: "web", protocol: .http), requestID: 7))
        #expect(register == #"{"id":7,"name":"web","protocol":"http","type":"register"}"#)
        #expect(try ControlCodec.decodeAgentMessage(register) == .register(MappingRegistration(name: "web", protocol: .http), requestID: 7))

        let registered = ControlCodec.encode(RelayMessage.registered(name: "web", requestID: 7))
        #expect(registered == #"{"id":7,"name":"web","type":"registered"}"#)
        #expect(try ControlCodec.decodeRelayMessage(registered) == .registered(name: "web", requestID: 7))

        let refused = RelayMessage.refused(bindHost: "web", bindPort: 0, reason: "no", requestID: 8)
        #expect(try ControlCodec.decodeRelayMessage(ControlCodec.encode(refused)) == refused)
    }

    @Test func linesWithoutIdsStillDecode() throws {
        #expect(try ControlCodec.decodeAgentMessage(#"{"type":"register","name":"web","protocol":"http"}"#)
            == .register(MappingRegistration(name: "web", protocol: .http), requestID: nil))
        #expect(try ControlCodec.decodeRelayMessage(#"{"type":"registered","name":"web"}"#) == .registered(name: "web"))
        #expect(try ControlCodec.decodeRelayMessage(#"{"type":"refused","bindHost":"web","bindPort":80,"reason":"taken"}"#)
            == .refused(bindHost: "web", bindPort: 80, reason: "taken"))
    }

    @Test func requestRefusedRoundTrips() throws {
        let line = #"{"type":"requestRefused","name":"web","status":401,"method":"GET","target":"/","visitor":"1.2.3.4:5555"}"#
        let decoded = try ControlCodec.decodeRelayMessage(line)
        let expected = RelayMessage.requestRefused(RefusedRequest(name: "web", status: 401, method: "GET", target: "/", visitor: "1.2.3.4:5555"))
        #expect(decoded == expected)
        #expect(try ControlCodec.decodeRelayMessage(ControlCodec.encode(expected)) == expected)
        #expect(throws: CoreError.self) { try ControlCodec.decodeRelayMessage(#"{"type":"requestRefused","name":"web"}"#) }
    }
}
