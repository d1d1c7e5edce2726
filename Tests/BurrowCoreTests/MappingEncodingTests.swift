import BurrowCore
import Foundation
import Testing

/// A mapping's JSON: as mappings.json and `map ls --json` hold it (fields at
/// their default left out), and with `everyField` as the engine API's PATCH
/// sends it (every field, null for an absent one, so the engine clears it).
@Suite struct MappingEncodingTests {
    private struct EveryField: Encodable {
        let mapping: Mapping
        func encode(to encoder: any Encoder) throws { try mapping.encode(to: encoder, everyField: true) }
    }

    private static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func defaultsAreLeftOutOfTheFileShape() throws {
        let plain = Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000))
        #expect(try Self.text(plain) == #"{"enabled":true,"local":"127.0.0.1:3000","name":"web","protocol":"http"}"#)
    }

    @Test func everyFieldWritesNullForTheAbsentOnes() throws {
        let plain = Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000))
        #expect(try Self.text(EveryField(mapping: plain)) == #"{"allow":[],"basicAuth":null,"deny":[],"enabled":true,"httpsRedirect":false,"local":"127.0.0.1:3000","name":"web","pool":false,"profile":null,"protocol":"http","proxyProtocol":null,"remotePort":null}"#)
    }

    @Test func bothShapesCarryEverySetField() throws {
        let full = Mapping(name: "ssh", protocol: .tcp, local: LocalAddress(port: 22), remotePort: 20022, enabled: false, profile: "home",
                           allow: [try CIDR(parsing: "10.0.0.0/8")], deny: [try CIDR(parsing: "10.0.0.9")],
                           proxyProtocol: .v2, pool: true)
        let expected = #"{"allow":["10.0.0.0/8"],"deny":["10.0.0.9"],"enabled":false,"local":"127.0.0.1:22","name":"ssh","pool":true,"profile":"home","protocol":"tcp","proxyProtocol":"v2","remotePort":20022}"#
        #expect(try Self.text(full) == expected)
        let every = try Self.text(EveryField(mapping: full))
        #expect(every == #"{"allow":["10.0.0.0/8"],"basicAuth":null,"deny":["10.0.0.9"],"enabled":false,"httpsRedirect":false,"local":"127.0.0.1:22","name":"ssh","pool":true,"profile":"home","protocol":"tcp","proxyProtocol":"v2","remotePort":20022}"#)
        #expect(try JSONDecoder().decode(Mapping.self, from: Data(every.utf8)) == full)
    }
}
