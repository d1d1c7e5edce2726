@testable import BurrowConfig
import BurrowCore
import Testing

/// `"pool": true` in mappings.json: read strictly, written only when set.
@Suite struct MappingPoolJSONTests {
    @Test func poolIsReadWrittenAndCheckedStrictly() throws {
        var mapping = Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000))
        mapping.pool = true
        let file = MappingsFile(mappings: [mapping, Mapping(name: "db", protocol: .tcp, local: LocalAddress(port: 5432))])
        let text = String(decoding: file.encoded(), as: UTF8.self)
        #expect(text.components(separatedBy: "\"pool\"").count == 2, "\(text)")
        #expect(try MappingsFile.decode(file.encoded(), file: "mappings.json") == file)
        let notABool = #"{"version":1,"mappings":[{"name":"web","protocol":"http","local":"127.0.0.1:3000","pool":"yes"}]}"#
        #expect(throws: ConfigError.self) { try MappingsFile.decode(Array(notABool.utf8), file: "mappings.json") }
        let udp = #"{"version":1,"mappings":[{"name":"game","protocol":"udp","local":"127.0.0.1:27015","pool":true}]}"#
        do {
            _ = try MappingsFile.decode(Array(udp.utf8), file: "mappings.json")
            Issue.record("a pooled udp mapping was accepted")
        } catch {
            #expect(error.description.contains("pool"), "\(error)")
        }
    }
}
