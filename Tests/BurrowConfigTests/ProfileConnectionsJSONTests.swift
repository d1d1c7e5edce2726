import BurrowCore
import Testing
@testable import BurrowConfig

/// `config.json`'s `profiles[].connections` (issue 15): how many SSH
/// connections the agent keeps to the profile's relay; absent by default,
/// 1-16 when given, written back only when set.
@Suite struct ProfileConnectionsJSONTests {
    static func decode(_ connections: String?) throws -> ConfigFile {
        let field = connections.map { ", \"connections\": \($0)" } ?? ""
        let text = "{\"version\": 1, \"profiles\": [{\"name\": \"home\", \"host\": \"h\"\(field)}]}"
        return try ConfigFile.decode(Array(text.utf8), file: "/cfg/config.json")
    }

    @Test func connectionsAreReadAndWrittenBackOnlyWhenSet() throws {
        let two = try Self.decode("2")
        #expect(two.profiles.first?.connections == 2)
        #expect(try ConfigFile.decode(two.encoded(), file: "/cfg/config.json") == two)
        let plain = try Self.decode(nil)
        #expect(plain.profiles.first?.connections == nil)
        #expect(!String(decoding: plain.encoded(), as: UTF8.self).contains("connections"))
    }

    @Test func outOfRangeOrNonNumbersAreRefusedNamingTheField() {
        for bad in ["0", "17", "-1", "\"2\"", "1.5"] {
            #expect(throws: ConfigError.self) { try Self.decode(bad) }
        }
        #expect(ConnectionCount.range.contains(ConnectionCount.default))
        #expect(ConnectionCount.default <= ConnectionCount.defaultMaximum)
        #expect(ConnectionCount(up: 1, total: 2).description == "1/2 connections")
    }
}
