@testable import BurrowConfig
import BurrowCore
import Testing

/// config.json, mappings.json and theme files go through the one `JSONFile`
/// reader and writer: what is written reads back the same, in the same
/// style as before (sorted keys, two-space indents, a final newline), and
/// every file is refused without its version or with an unknown field.
@Suite struct JSONFileFormatsTests {
    static let everyField = Mapping(
        name: "web", protocol: .http, local: LocalAddress(host: "::1", port: 3000), remotePort: nil, enabled: false,
        profile: "home", allow: [try! CIDR(parsing: "203.0.113.0/24")], deny: [try! CIDR(parsing: "2001:db8::/32")],
        basicAuth: BasicAuthRule(user: "alice", salt: String(repeating: "a", count: 32), sha256: String(repeating: "b", count: 64)))

    @Test func mappingsWithEveryFieldReadBackTheSame() throws {
        let tcp = Mapping(name: "db", protocol: .tcp, local: LocalAddress(port: 5432), remotePort: 40000, proxyProtocol: .v2)
        let file = MappingsFile(mappings: [Self.everyField, tcp])
        #expect(try MappingsFile.decode(file.encoded(), file: "mappings.json") == file)
    }

    @Test func mappingsAreWrittenInTheDocumentedStyle() {
        let tcp = Mapping(name: "db", protocol: .tcp, local: LocalAddress(port: 5432), remotePort: 40000, proxyProtocol: .v1)
        let text = String(decoding: MappingsFile(mappings: [tcp]).encoded(), as: UTF8.self)
        #expect(text == """
            {
              "mappings": [
                {
                  "enabled": true,
                  "local": "127.0.0.1:5432",
                  "name": "db",
                  "protocol": "tcp",
                  "proxyProtocol": "v1",
                  "remotePort": 40000
                }
              ],
              "version": 1
            }

            """)
    }

    @Test func configReadsBackTheSameAndIsWrittenInTheDocumentedStyle() throws {
        let config = ConfigFile(profiles: [Profile(name: "home", host: "relay.localhost", identity: "/keys/home"),
                                           Profile(name: "work", host: "work.localhost", sshPort: 22, user: "me")],
                                selectedProfile: "work", ui: UIPreferences(theme: "light"))
        #expect(try ConfigFile.decode(config.encoded(), file: "config.json") == config)
        let empty = String(decoding: ConfigFile().encoded(), as: UTF8.self)
        #expect(empty == "{\n  \"profiles\": [],\n  \"ui\": {},\n  \"version\": 1\n}\n")
    }

    @Test func aThemeWithoutItsVersionOrWithAnUnknownFieldIsRefusedAtItsLine() {
        let roles = ["text"]
        #expect(throws: ConfigError.self) {
            try ThemeDocument.parse(Array("{\"colors\": {\"text\": \"#000000\"}}".utf8), file: "t.json", roles: roles) { _ in nil }
        }
        do {
            _ = try ThemeDocument.parse(Array("{\"version\": 1,\n \"colours\": {}}".utf8), file: "t.json", roles: roles) { _ in nil }
            Issue.record("an unknown field was accepted")
        } catch {
            #expect(error.description.contains("t.json:2:"), "\(error.description)")
            #expect(error.description.contains("colours"), "\(error.description)")
        }
    }

    @Test func writingGoesThroughAnAtomicReplaceAndLeavesAnInvalidFileAlone() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        _ = try store.addProfile(Profile(name: "home", host: "relay.localhost"))
        #expect(try store.loadConfig().profiles.map(\.name) == ["home"])
        let broken = Array("{\"version\": 1, \"profiles\": [], \"extra\": true}".utf8)
        try broken.write(to: store.configPath)
        #expect(throws: ConfigError.self) { try store.updateConfig { $0.ui.theme = "light" } }
        #expect(try AtomicFile.read(store.configPath) == broken)
    }
}
