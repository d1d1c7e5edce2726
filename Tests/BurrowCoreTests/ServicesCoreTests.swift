import Foundation
import Testing
@testable import BurrowCore

@Suite struct CIDRTests {
    @Test func parsesAndCanonicalisesIPv4AndIPv6() throws {
        #expect(try CIDR(parsing: "10.1.2.3/8").description == "10.0.0.0/8")
        #expect(try CIDR(parsing: "192.0.2.7").description == "192.0.2.7")
        #expect(try CIDR(parsing: "192.0.2.7").prefixLength == 32)
        #expect(try CIDR(parsing: "2001:DB8::1/32").description == "2001:db8::/32")
        #expect(try CIDR(parsing: "::1").description == "::1")
        #expect(try CIDR(parsing: "::").description == "::")
        #expect(try CIDR(parsing: "::/0").description == "::/0")
        #expect(try CIDR(parsing: "fe80::1:0:0:1/128").description == "fe80::1:0:0:1")
        #expect(try CIDR(parsing: "1:0:0:2:0:0:0:3").description == "1:0:0:2::3")
        #expect(try CIDR(parsing: "::ffff:192.0.2.1").address.count == 16)
        #expect(try CIDR(parsing: "0.0.0.0/0").description == "0.0.0.0/0")
    }

    @Test(arguments: ["", "10.0.0.300", "10.0.0", "10.0.0.0/33", "::1/129", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::",
                      "10.0.0.0/", "10.0.0.0/-1", "g::1", "10.0.0.01111", "a.b.c.d", "1.2.3.4/8/8"])
    func rejects(_ text: String) {
        #expect(throws: CoreError.invalidCIDR(text)) { try CIDR(parsing: text) }
    }

    @Test func errorNamesTheValueAndTheForm() {
        #expect(CoreError.invalidCIDR("x").description.contains("'x'"))
        #expect(CoreError.invalidCIDR("x").description.contains("/PREFIX"))
    }

    @Test func containsMatchesByPrefixAndFamily() throws {
        let net = try CIDR(parsing: "203.0.113.0/24")
        #expect(net.contains(address: "203.0.113.200"))
        #expect(!net.contains(address: "203.0.114.1"))
        // A dual-stack socket's view of an IPv4 visitor counts as IPv4.
        #expect(net.contains(address: "::ffff:203.0.113.9"))
        #expect(!net.contains(address: "2001:db8::1"))
        let v6 = try CIDR(parsing: "2001:db8::/32")
        #expect(v6.contains(address: "2001:db8:ffff::1"))
        #expect(!v6.contains(address: "2001:db9::1"))
        #expect(!v6.contains(address: "203.0.113.9"))
        #expect(try CIDR(parsing: "::/0").contains(address: "::1"))
        #expect(try CIDR(parsing: "10.0.0.0/9").contains(address: "10.127.255.255"))
        #expect(try !CIDR(parsing: "10.0.0.0/9").contains(address: "10.128.0.0"))
    }
}

@Suite struct MappingRulesTests {
    @Test func rulesRoundTripThroughJSONAndStayOutWhenEmpty() throws {
        let auth = BasicAuthRule(user: "alice", salt: String(repeating: "ab", count: 16), sha256: String(repeating: "0f", count: 32))
        let mapping = Mapping(
            name: "web", protocol: .http, local: LocalAddress(port: 3000),
            allow: [try CIDR(parsing: "10.0.0.0/8")], deny: [try CIDR(parsing: "::1")], basicAuth: auth)
        try mapping.validate()
        let data = try JSONEncoder().encode(mapping)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"allow\":[\"10.0.0.0\\/8\"]") || text.contains("\"allow\":[\"10.0.0.0/8\"]"))
        #expect(try JSONDecoder().decode(Mapping.self, from: data) == mapping)
        let plain = String(decoding: try JSONEncoder().encode(Mapping(name: "a", protocol: .tcp, local: LocalAddress(port: 1))), as: UTF8.self)
        for key in ["allow", "deny", "basicAuth", "proxyProtocol"] { #expect(!plain.contains(key)) }
        #expect(Mapping.jsonKeys.isSuperset(of: ["allow", "deny", "basicAuth", "proxyProtocol"]))
    }

    @Test func rulesMustFitTheProtocol() throws {
        let auth = BasicAuthRule(user: "alice", salt: String(repeating: "ab", count: 16), sha256: String(repeating: "0f", count: 32))
        #expect(throws: CoreError.self) { try Mapping(name: "t", protocol: .tcp, local: LocalAddress(port: 1), basicAuth: auth).validate() }
        #expect(throws: CoreError.self) { try Mapping(name: "h", protocol: .http, local: LocalAddress(port: 1), proxyProtocol: .v1).validate() }
        #expect(throws: CoreError.self) { try Mapping(name: "u", protocol: .udp, local: LocalAddress(port: 1), proxyProtocol: .v2).validate() }
        try Mapping(name: "s", protocol: .tls, local: LocalAddress(port: 1), proxyProtocol: .v2).validate()
        try Mapping(name: "u", protocol: .udp, local: LocalAddress(port: 1), deny: [try CIDR(parsing: "10.0.0.0/8")]).validate()
        let badHash = BasicAuthRule(user: "alice", salt: "zz", sha256: "00")
        #expect(throws: CoreError.self) { try badHash.validate() }
    }

    @Test func credentialsSplitAtTheFirstColon() throws {
        let (user, password) = try BasicAuthRule.splitCredentials("alice:s3:cret")
        #expect(user == "alice")
        #expect(password == "s3:cret")
        for bad in ["alice", ":secret", "alice:"] {
            #expect(throws: CoreError.self) { try BasicAuthRule.splitCredentials(bad) }
        }
        #expect(try ProxyProtocolVersion(parsing: "V2") == .v2)
        #expect(throws: CoreError.invalidProxyProtocol("v3")) { try ProxyProtocolVersion(parsing: "v3") }
        #expect(BasicAuthRule.hexBytes("00ffAB") == [0, 255, 171])
        #expect(BasicAuthRule.hexBytes("0g") == nil)
        #expect(BasicAuthRule.hex([0, 255, 171]) == "00ffab")
    }
}

@Suite struct RegisterMessageTests {
    @Test func registerRoundTripsWithRulesAndOnlyTheHash() throws {
        let auth = BasicAuthRule(user: "alice", salt: String(repeating: "ab", count: 16), sha256: String(repeating: "0f", count: 32))
        let registration = MappingRegistration(
            name: "shop", protocol: .http, allow: [try CIDR(parsing: "10.0.0.0/8")], deny: [try CIDR(parsing: "10.9.0.0/16")],
            basicAuth: auth)
        let line = ControlCodec.encode(AgentMessage.register(registration))
        #expect(line == #"{"allow":["10.0.0.0/8"],"basicAuth":{"salt":"\#(auth.salt)","sha256":"\#(auth.sha256)","user":"alice"},"deny":["10.9.0.0/16"],"name":"shop","protocol":"http","type":"register"}"#)
        #expect(try ControlCodec.decodeAgentMessage(line) == .register(registration))
        let udp = ControlCodec.encode(AgentMessage.register(MappingRegistration(name: "game", protocol: .udp)))
        #expect(udp == #"{"name":"game","protocol":"udp","type":"register"}"#)
        #expect(try ControlCodec.decodeAgentMessage(udp) == .register(MappingRegistration(name: "game", protocol: .udp)))
        let registered = ControlCodec.encode(RelayMessage.registered(name: "shop"))
        #expect(registered == #"{"name":"shop","type":"registered"}"#)
        #expect(try ControlCodec.decodeRelayMessage(registered) == .registered(name: "shop"))
    }

    @Test(arguments: [
        #"{"type":"register","protocol":"http"}"#,
        #"{"type":"register","name":"Bad_Name","protocol":"http"}"#,
        #"{"type":"register","name":"a","protocol":"gopher"}"#,
        #"{"type":"register","name":"a","protocol":"http","allow":["10.0.0.300"]}"#,
        #"{"type":"register","name":"a","protocol":"http","basicAuth":{"user":"x","salt":"00","sha256":"00"}}"#,
        #"{"type":"registered"}"#,
    ])
    func rejectsBadRegistrations(_ line: String) {
        #expect(throws: CoreError.self) {
            if line.contains("\"registered\"") { _ = try ControlCodec.decodeRelayMessage(line) } else { _ = try ControlCodec.decodeAgentMessage(line) }
        }
    }
}
