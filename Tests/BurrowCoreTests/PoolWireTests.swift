@testable import BurrowCore
import Testing

/// The pool's words on the wire (issue 16): `register` with `pool`, the
/// agent's `service` report and the relay's `pool` size, as JSON lines.
@Suite struct PoolWireTests {
    @Test func registerCarriesPoolOnlyWhenSet() throws {
        let pooled = AgentMessage.register(MappingRegistration(name: "web", protocol: .http, pool: true), requestID: 3)
        let line = ControlCodec.encode(pooled)
        #expect(line.contains("\"pool\":true"))
        #expect(try ControlCodec.decodeAgentMessage(line) == pooled)
        let plain = ControlCodec.encode(AgentMessage.register(MappingRegistration(name: "web", protocol: .http), requestID: 4))
        #expect(!plain.contains("pool"))
        guard case .register(let registration, _) = try ControlCodec.decodeAgentMessage(plain) else {
            Issue.record("not a register")
            return
        }
        #expect(!registration.pool)
    }

    @Test func serviceAndPoolRoundTripAndBadOnesAreRefused() throws {
        #expect(ControlCodec.encode(AgentMessage.service(name: "web", up: false)) == #"{"name":"web","type":"service","up":false}"#)
        #expect(try ControlCodec.decodeAgentMessage(#"{"type":"service","name":"web","up":true}"#) == .service(name: "web", up: true))
        #expect(throws: CoreError.self) { try ControlCodec.decodeAgentMessage(#"{"type":"service","name":"web"}"#) }
        #expect(throws: CoreError.self) { try ControlCodec.decodeAgentMessage(#"{"type":"service","name":"No Name","up":true}"#) }
        let pool = RelayMessage.pool(name: "web", online: 2, members: 3)
        #expect(try ControlCodec.decodeRelayMessage(ControlCodec.encode(pool)) == pool)
        #expect(throws: CoreError.self) { try ControlCodec.decodeRelayMessage(#"{"type":"pool","name":"web","online":4,"members":3}"#) }
        #expect(PoolSize(online: 2, members: 3).description == "pool 2/3")
    }

    @Test func aUDPMappingCannotBePooled() {
        var mapping = Mapping(name: "game", protocol: .udp, local: LocalAddress(port: 27015))
        mapping.pool = true
        #expect(throws: CoreError.self) { try mapping.validate() }
        mapping.protocol = .tcp
        #expect(throws: Never.self) { try mapping.validate() }
        #expect(mapping.rulesSummary == "pool")
    }
}
