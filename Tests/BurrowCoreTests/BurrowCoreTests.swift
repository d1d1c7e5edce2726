import Testing
@testable import BurrowCore

@Suite struct DNSLabelTests {
    @Test(arguments: ["a", "web", "my-app", "a1", String(repeating: "x", count: 63)])
    func accepts(_ name: String) throws {
        try DNSLabel.validate(name)
    }

    @Test(arguments: ["", "-a", "a-", "Web", "a_b", "a.b", "é", String(repeating: "x", count: 64)])
    func rejects(_ name: String) {
        #expect(throws: CoreError.self) { try DNSLabel.validate(name) }
    }

    @Test func messageNamesValueAndRule() {
        do {
            try DNSLabel.validate("Bad_Name")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("'Bad_Name'"))
            #expect(error.description.contains("a-z, 0-9"))
        }
    }
}

@Suite struct LocalAddressTests {
    @Test func parsesForms() throws {
        #expect(try LocalAddress(parsing: "3000") == LocalAddress(host: "127.0.0.1", port: 3000))
        #expect(try LocalAddress(parsing: "localhost:8080") == LocalAddress(host: "localhost", port: 8080))
        #expect(try LocalAddress(parsing: "[::1]:22") == LocalAddress(host: "::1", port: 22))
        #expect(LocalAddress(host: "::1", port: 22).description == "[::1]:22")
    }

    @Test(arguments: ["0", "65536", "-1", "abc:", ":80", "host:99999", "::1:80", "a b:80", ""])
    func rejects(_ text: String) {
        #expect(throws: CoreError.self) { try LocalAddress(parsing: text) }
    }
}

@Suite struct MappingTests {
    @Test func generatedNamesAreReadableAndUnique() {
        let local = LocalAddress(port: 3000)
        #expect(Mapping.generatedName(for: .http, local: local, taken: []) == "http-3000")
        #expect(Mapping.generatedName(for: .http, local: local, taken: ["http-3000"]) == "http-3000-2")
        #expect(Mapping.generatedName(for: .http, local: local, taken: ["http-3000", "http-3000-2"]) == "http-3000-3")
    }

    @Test func protocolParsing() throws {
        #expect(try MappingProtocol(parsing: "HTTP") == .http)
        #expect(throws: CoreError.unknownProtocol("ftp")) { try MappingProtocol(parsing: "ftp") }
    }
}

@Suite struct PublicURLTests {
    @Test func roundTrips() throws {
        for text in ["http://web.localhost:8080", "https://shop.example.com", "tcp://relay.example.com:20001", "udp://1.2.3.4:27015"] {
            #expect(try PublicURL(parsing: text).description == text)
        }
        #expect(PublicURL(scheme: "http", host: "a.example.com", port: 80).description == "http://a.example.com")
    }

    @Test func forMapping() {
        let url = PublicURL.forMapping(.http, name: "web", domain: "localhost", publicHost: "localhost", port: 8080)
        #expect(url.description == "http://web.localhost:8080")
        let tcp = PublicURL.forMapping(.tcp, name: "db", domain: "example.com", publicHost: "example.com", port: 20001)
        #expect(tcp.description == "tcp://example.com:20001")
    }
}

@Suite struct ControlCodecTests {
    @Test func relayMessagesRoundTrip() throws {
        let messages: [RelayMessage] = [
            .welcome(relayVersion: "0.1.0", domain: "localhost"),
            .forwarded(bindHost: "web", bindPort: 80, boundPort: 80, url: try PublicURL(parsing: "http://web.localhost:8080")),
            .forwarded(
                bindHost: "web", bindPort: 80, boundPort: 80, url: try PublicURL(parsing: "https://web.localhost:8443"),
                alsoURL: try PublicURL(parsing: "http://web.localhost:8080")),
            .refused(bindHost: "web", bindPort: 80, reason: "name 'web' is held by another key"),
            .notice("relay shutting down"),
            .notice("web.localhost: https ready", informational: true),
            .pong(id: 7),
            .fleet(relays: ["r1.example.com:2222", "[::1]:2223", "r3.example.com"]),
        ]
        for message in messages {
            let line = ControlCodec.encode(message)
            #expect(!line.contains("\n"))
            #expect(try ControlCodec.decodeRelayMessage(line) == message)
        }
    }

    @Test func agentMessagesRoundTrip() throws {
        for message: AgentMessage in [.hello(agentVersion: "0.1.0"), .ping(id: 3)] {
            #expect(try ControlCodec.decodeAgentMessage(ControlCodec.encode(message)) == message)
        }
    }

    @Test func rejectsGarbageAndOversizedLines() {
        #expect(throws: CoreError.self) { try ControlCodec.decodeRelayMessage("not json") }
        #expect(throws: CoreError.self) { try ControlCodec.decodeRelayMessage(#"{"type":"forwarded"}"#) }
        #expect(throws: CoreError.self) { try ControlCodec.decodeAgentMessage(#"{"type":"shell"}"#) }
        #expect(throws: CoreError.self) { try ControlCodec.decodeRelayMessage(#"{"type":"fleet","relays":["bad host:22"]}"#) }
        #expect(throws: CoreError.self) { try ControlCodec.decodeRelayMessage(#"{"type":"fleet"}"#) }
        let huge = #"{"type":"notice","message":""# + String(repeating: "a", count: 70_000) + #""}"#
        #expect(throws: CoreError.self) { try ControlCodec.decodeRelayMessage(huge) }
    }
}

@Suite struct EngineEventTests {
    @Test func onlineLineAndJSON() throws {
        let event = EngineEvent.online(mapping: "web", url: try PublicURL(parsing: "http://web.localhost:8080"), local: LocalAddress(port: 3000))
        #expect(event.humanLine == "web  http://web.localhost:8080 -> 127.0.0.1:3000")
        #expect(event.jsonLine == #"{"event":"online","local":"127.0.0.1:3000","name":"web","url":"http://web.localhost:8080"}"#)
        let both = EngineEvent.online(
            mapping: "web", url: try PublicURL(parsing: "https://web.localhost:8443"), local: LocalAddress(port: 3000),
            also: try PublicURL(parsing: "http://web.localhost:8080"))
        #expect(both.humanLine == "web  https://web.localhost:8443 (also http://web.localhost:8080) -> 127.0.0.1:3000")
        #expect(both.jsonLine.contains(#""alsoURL":"http://web.localhost:8080""#))
    }
}
