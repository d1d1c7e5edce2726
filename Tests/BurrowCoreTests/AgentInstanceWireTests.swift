import BurrowCore
import Testing

/// `hello`'s `instance` (issue 15): the id one agent run's connections share.
@Suite struct AgentInstanceWireTests {
    @Test func helloCarriesTheInstanceOnlyWhenSet() throws {
        let instance = AgentInstance.random()
        let hello = AgentMessage.hello(agentVersion: "1.0.0", instance: instance)
        let line = ControlCodec.encode(hello)
        #expect(line == #"{"instance":"\#(instance)","type":"hello","version":"1.0.0"}"#)
        #expect(try ControlCodec.decodeAgentMessage(line) == hello)
        // An older agent says no instance; it still decodes.
        let old = #"{"type":"hello","version":"0.9.0"}"#
        #expect(try ControlCodec.decodeAgentMessage(old) == .hello(agentVersion: "0.9.0", instance: nil))
        #expect(!ControlCodec.encode(AgentMessage.hello(agentVersion: "1.0.0")).contains("instance"))
    }

    @Test func instancesAre128RandomBitsInHex() throws {
        let first = AgentInstance.random()
        let second = AgentInstance.random()
        #expect(first.count == 32)
        #expect(first != second)
        try AgentInstance.validate(first)
    }

    @Test func helloSaysWhichConnectionOfTheRunItIs() throws {
        let instance = AgentInstance.random()
        let hello = AgentMessage.hello(agentVersion: "1.0.0", instance: instance, connection: 1)
        #expect(ControlCodec.encode(hello) == #"{"connection":1,"instance":"\#(instance)","type":"hello","version":"1.0.0"}"#)
        #expect(try ControlCodec.decodeAgentMessage(ControlCodec.encode(hello)) == hello)
        // Without an instance a connection number means nothing: not sent, refused when received.
        #expect(!ControlCodec.encode(AgentMessage.hello(agentVersion: "1.0.0", connection: 1)).contains("connection"))
        #expect(throws: CoreError.self) { try ControlCodec.decodeAgentMessage(#"{"type":"hello","version":"1","connection":1}"#) }
        #expect(throws: CoreError.self) {
            try ControlCodec.decodeAgentMessage(#"{"type":"hello","version":"1","instance":"\#(instance)","connection":-1}"#)
        }
    }

    @Test func aMalformedInstanceIsRefused() {
        for bad in ["", "abc", String(repeating: "g", count: 32), String(repeating: "A", count: 32), String(repeating: "a", count: 65)] {
            #expect(throws: CoreError.self) { try ControlCodec.decodeAgentMessage(#"{"type":"hello","version":"1","instance":"\#(bad)"}"#) }
        }
    }
}
