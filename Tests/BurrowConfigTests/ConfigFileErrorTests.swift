import BurrowCore
import Foundation
import Testing
@testable import BurrowConfig

/// Hand-edited files: every error names file, line:column and field, and a
/// file that fails is never overwritten.
@Suite struct ConfigFileErrorTests {
    static func mappingsError(_ text: String) -> String {
        error(text) { (bytes) throws(ConfigError) in _ = try MappingsFile.decode(bytes, file: "/cfg/mappings.json") }
    }

    static func configError(_ text: String) -> String {
        error(text) { (bytes) throws(ConfigError) in _ = try ConfigFile.decode(bytes, file: "/cfg/config.json") }
    }

    /// The message `decode` throws for `text`, or "accepted".
    static func error(_ text: String, _ decode: ([UInt8]) throws(ConfigError) -> Void) -> String {
        do {
            try decode(Array(text.utf8))
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test func syntaxErrorsPointAtLineAndColumn() {
        let missingComma = "{\n  \"version\": 1,\n  \"mappings\": [\n    {\"name\": \"web\" \"protocol\": \"http\"}\n  ]\n}\n"
        #expect(Self.mappingsError(missingComma).hasPrefix("/cfg/mappings.json:4:20: unexpected '\"'; expected ',' or '}'"))
        #expect(Self.mappingsError("{\"version\": 1,}").hasPrefix("/cfg/mappings.json:1:15: trailing ','"))
        #expect(Self.mappingsError("").hasPrefix("/cfg/mappings.json:1:1: the file is empty"))
        #expect(Self.mappingsError("{\"version\": 1, \"mappings\": [\n").hasPrefix("/cfg/mappings.json:2:1: unexpected end of file"))
        #expect(Self.mappingsError("{\"version\": 1} x").hasPrefix("/cfg/mappings.json:1:16: unexpected 'x' after the end"))
        #expect(Self.mappingsError("{\"v\u{e9}\u{e9}\": tru}").hasPrefix("/cfg/mappings.json:1:9:"), "columns count characters, not bytes (11)")
        #expect(Self.mappingsError("{\"version\": 1, \"version\": 1}").contains("1:16: field 'version' appears twice"))
        #expect(Self.mappingsError("{\"version\": 01}").contains("invalid number"))
        #expect(Self.mappingsError("{\"version\": 1, \"mappings\": [\"a\nb\"]}").contains("line break inside a string"))
    }

    @Test func unknownFieldsNamed() {
        let text = "{\n  \"version\": 1,\n  \"mappings\": [\n    {\"name\": \"web\", \"protocol\": \"http\", \"local\": \"3000\", \"enabeld\": true}\n  ]\n}\n"
        #expect(Self.mappingsError(text) == "/cfg/mappings.json:4:58: unknown field 'mappings[0].enabeld'; remove it or fix its spelling (the file was not changed)")
        #expect(Self.configError("{\"version\": 1, \"colour\": \"red\"}").contains("unknown field 'colour'"))
        #expect(Self.configError("{\"version\": 1, \"ui\": {\"them\": \"x\"}}").contains("unknown field 'ui.them'"))
        #expect(Self.configError("{\"version\": 1, \"profiles\": [{\"name\": \"a\", \"host\": \"h\", \"port\": 22}]}").contains("unknown field 'profiles[0].port'"))
    }

    @Test func validationErrorsNameTheField() {
        func mapping(_ body: String) -> String {
            Self.mappingsError("{\"version\": 1, \"mappings\": [\(body)]}")
        }
        #expect(mapping(#"{"name": "Web", "protocol": "http", "local": "3000"}"#).contains("field 'mappings[0].name': invalid name 'Web'"))
        #expect(mapping(#"{"name": "web", "protocol": "ftp", "local": "3000"}"#).contains("field 'mappings[0].protocol': unknown protocol 'ftp'"))
        #expect(mapping(#"{"name": "web", "protocol": "http", "local": "99999"}"#).contains("field 'mappings[0].local': invalid port '99999'"))
        #expect(mapping(#"{"name": "web", "protocol": "tcp", "local": "1", "remotePort": 70000}"#).contains("field 'mappings[0].remotePort': invalid port 70000"))
        #expect(mapping(#"{"name": "web", "protocol": "tcp", "local": "1", "remotePort": "22"}"#).contains("expected a whole number, found a string"))
        #expect(mapping(#"{"name": "web", "protocol": "tcp", "local": "1", "enabled": "yes"}"#).contains("'mappings[0].enabled': expected true or false"))
        #expect(mapping(#"{"protocol": "tcp", "local": "1"}"#).contains("'mappings[0].name': missing"))
        #expect(mapping(#"{"name": "a", "protocol": "tcp", "local": "1"}, {"name": "a", "protocol": "tcp", "local": "2"}"#)
            .contains("field 'mappings[1].name': duplicate mapping name 'a'"))
        #expect(Self.mappingsError(#"{"mappings": []}"#).contains("field 'version': missing; add \"version\": 1"))
        #expect(Self.mappingsError(#"{"version": 2}"#).contains("unsupported version 2"))
        #expect(Self.mappingsError(#"[1]"#).contains("expected an object, found an array"))

        #expect(Self.configError(#"{"version": 1, "profiles": [{"name": "a", "host": "h", "sshPort": 0}]}"#).contains("'profiles[0].sshPort': invalid port 0"))
        #expect(Self.configError(#"{"version": 1, "profiles": [{"name": "a", "host": "h"}, {"name": "a", "host": "i"}]}"#).contains("'profiles[1].name': duplicate profile name 'a'"))
        #expect(Self.configError(#"{"version": 1, "selectedProfile": "zz"}"#).contains("'selectedProfile': no profile named 'zz'"))
    }

    @Test func acceptsHandWrittenFilesWithDefaults() throws {
        let config = try ConfigFile.decode(Array(#"{"version": 1, "profiles": [{"name": "home", "host": "r.example"}], "selectedProfile": null}"#.utf8), file: "c")
        #expect(config.profiles == [Profile(name: "home", host: "r.example", sshPort: 2222, user: "burrow")])
        let mappings = try MappingsFile.decode(Array("\u{FEFF}{\"version\": 1, \"mappings\": [{\"name\": \"\\u0077eb\", \"protocol\": \"HTTP\", \"local\": \"localhost:80\"}]}".utf8), file: "m")
        #expect(mappings.mappings == [Mapping(name: "web", protocol: .http, local: LocalAddress(host: "localhost", port: 80))])
        // \u00e9 decodes to é, which is not a DNS label character.
        #expect(Self.mappingsError(#"{"version": 1, "mappings": [{"name": "caf\u00e9", "protocol": "http", "local": "80"}]}"#).contains("invalid name 'café'"))
    }

    @Test func mappingNamingUnknownProfileIsAFieldError() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        try Array(#"{"version": 1, "mappings": [{"name": "a", "protocol": "tcp", "local": "1", "profile": "ghost"}]}"#.utf8)
            .write(to: store.mappingsPath)
        #expect { try store.load() } throws: { error in
            "\(error)".contains("field 'mappings[0].profile'") && "\(error)".contains("'ghost'")
        }
    }

    @Test func corruptFileIsNeverOverwritten() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        let corrupt = Array("{\n  \"version\": 1,\n  \"mappings\": [\n    {\"name\": \"web\",,}\n".utf8)
        try corrupt.write(to: store.mappingsPath)
        let badConfig = Array("{\"version\": 1, \"profiles\": 3}".utf8)
        try badConfig.write(to: store.configPath)
        #expect(throws: ConfigError.self) {
            try store.addMapping(protocol: .http, local: LocalAddress(port: 1), name: nil, remotePort: nil, profile: nil, enabled: true)
        }
        #expect(throws: ConfigError.self) { try store.removeMapping(named: "web") }
        #expect(throws: ConfigError.self) { try store.updateMappings { $0.mappings = [] } }
        #expect(throws: ConfigError.self) { try store.addProfile(Profile(name: "a", host: "h")) }
        #expect(throws: ConfigError.self) { try store.updateConfig { $0.ui.theme = "x" } }
        #expect(try AtomicFile.read(store.mappingsPath) == corrupt)
        #expect(try AtomicFile.read(store.configPath) == badConfig)
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws {
        try Data(self).write(to: URL(fileURLWithPath: path))
    }
}
