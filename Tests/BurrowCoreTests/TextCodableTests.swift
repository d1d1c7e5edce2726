import BurrowCore
import Foundation
import Testing

/// Addresses, CIDRs and URLs travel in JSON as their text, through one
/// `TextCodable` conformance; a bad text is a decoding error that says why.
@Suite struct TextCodableTests {
    @Test func valuesAreEncodedAsTheirTextAndReadBack() throws {
        let mapping = Mapping(name: "web", protocol: .http, local: LocalAddress(host: "::1", port: 3000),
                              allow: [try CIDR(parsing: "203.0.113.0/24")])
        let data = try JSONEncoder().encode(mapping)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""local":"[::1]:3000""#))
        #expect(text.contains(#""allow":["203.0.113.0\/24"]"#) || text.contains(#""allow":["203.0.113.0/24"]"#))
        #expect(try JSONDecoder().decode(Mapping.self, from: data) == mapping)
        let url = try PublicURL(parsing: "http://web.localhost:8080")
        #expect(try JSONDecoder().decode(PublicURL.self, from: JSONEncoder().encode(url)) == url)
    }

    @Test func aBadTextIsADecodingErrorThatSaysWhy() {
        do {
            _ = try JSONDecoder().decode([CIDR].self, from: Data(#"["300.1.2.3/8"]"#.utf8))
            Issue.record("a bad CIDR was accepted")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains("300.1.2.3"), "\(context.debugDescription)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
