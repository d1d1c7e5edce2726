import BurrowCore
import Foundation
import Testing
@testable import BurrowConfig

/// `config.json`'s `profiles[].fleet` (issue 16): the relays of a profile's
/// fleet, read strictly; a bad one names file:line:column and the field, and
/// the file is never rewritten while it fails.
@Suite struct ProfileFleetJSONTests {
    static func config(_ fleet: String) -> String {
        "{\n  \"version\": 1,\n  \"profiles\": [\n    {\"name\": \"prod\", \"host\": \"r1.example.com\", \"fleet\": \(fleet)}\n  ]\n}\n"
    }

    static func decode(_ text: String) throws -> ConfigFile {
        try ConfigFile.decode(Array(text.utf8), file: "/cfg/config.json")
    }

    static func error(_ fleet: String) -> String {
        do {
            _ = try ConfigFile.decode(Array(config(fleet).utf8), file: "/cfg/config.json")
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test func aFleetIsReadNormalizedAndWrittenBack() throws {
        let config = try Self.decode(Self.config("[\"r2.example.com\", \"r3.example.com:2022\", \"[2001:db8::3]:22\"]"))
        let profile = try #require(config.profiles.first)
        #expect(profile.fleet == ["r2.example.com:2222", "r3.example.com:2022", "[2001:db8::3]:22"])
        #expect(profile.members == ["r1.example.com:2222", "r2.example.com:2222", "r3.example.com:2022", "[2001:db8::3]:22"])
        let again = try ConfigFile.decode(config.encoded(), file: "/cfg/config.json")
        #expect(again == config)
        // No fleet: no field written, one member.
        let plain = try Self.decode("{\"version\": 1, \"profiles\": [{\"name\": \"home\", \"host\": \"h\"}]}")
        #expect(plain.profiles.first?.members == ["h:2222"])
        #expect(!String(decoding: plain.encoded(), as: UTF8.self).contains("fleet"))
    }

    @Test func badFleetEndpointsAreRefusedWithTheirPlace() {
        #expect(Self.error("[\"r2 example:1\"]")
            == "/cfg/config.json:4:58: field 'profiles[0].fleet[0]': invalid relay address 'r2 example:1': use HOST or HOST:SSH_PORT (e.g. relay2.example.com:2222) (the file was not changed)",
            "\(Self.error("[\"r2 example:1\"]"))")
        #expect(Self.error("[\"r2:99999\"]").contains("field 'profiles[0].fleet[0]': invalid relay address 'r2:99999'"))
        #expect(Self.error("[\"r2:2222\", \"\"]").contains("field 'profiles[0].fleet[1]': invalid relay address ''"))
        #expect(Self.error("[2222]").contains("field 'profiles[0].fleet[0]': expected a string \"HOST:SSH_PORT\", found a number"))
        #expect(Self.error("\"r2:2222\"").contains("field 'profiles[0].fleet': expected an array, found a string"))
        #expect(Self.error("[\"r1.example.com\"]").contains("relay r1.example.com:2222 is already a member of this profile's fleet"))
        #expect(Self.error("[\"r2:2222\", \"r2\"]").contains("field 'profiles[0].fleet[1]': relay r2:2222 is already a member"))
    }

    @Test func aConfigWithABadFleetIsNeverOverwritten() throws {
        let directory = try TempDirectory()
        defer { directory.remove() }
        let store = ConfigStore(directory: directory.path)
        let text = Self.config("[\"bad host:1\"]")
        try Data(text.utf8).write(to: URL(fileURLWithPath: store.configPath))
        #expect(throws: ConfigError.self) { try store.addProfile(Profile(name: "other", host: "h")) }
        #expect(throws: ConfigError.self) { try store.selectProfile(named: "prod") }
        #expect(try String(contentsOfFile: store.configPath, encoding: .utf8) == text)
    }

    @Test func addProfileRefusesABadFleetAndStoresAGoodOneNormalized() throws {
        let directory = try TempDirectory()
        defer { directory.remove() }
        let store = ConfigStore(directory: directory.path)
        #expect(throws: ConfigError.self) { try store.addProfile(Profile(name: "prod", host: "r1", fleet: ["r2", "no good"])) }
        #expect(try store.loadConfig().profiles.isEmpty)
        let added = try store.addProfile(Profile(name: "prod", host: "r1", fleet: ["r2", "r2:2222", "r1:2222", "r3:2022"]))
        #expect(added.profile.fleet == ["r2:2222", "r3:2022"])
        #expect(try store.loadConfig().profiles.first?.fleet == ["r2:2222", "r3:2022"])
    }
}
