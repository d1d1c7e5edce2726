import BurrowCore
import Foundation
import Testing
@testable import BurrowConfig

@Suite struct ConfigStoreTests {
    @Test func missingFilesAreEmptyDefaults() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.file("never-made"))
        #expect(try store.loadConfig() == ConfigFile())
        #expect(try store.loadMappings() == MappingsFile())
    }

    @Test func roundTripAndFileShape() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        let added = try store.addProfile(Profile(name: "home", host: "relay.example.com"))
        #expect(added.selected)
        #expect(try store.addProfile(Profile(name: "work", host: "10.0.0.1", sshPort: 22, user: "me")).selected == false)
        let web = try store.addMapping(protocol: .http, local: LocalAddress(port: 3000), name: nil, remotePort: nil, profile: nil, enabled: true)
        #expect(web.name == "http-3000")
        let db = try store.addMapping(protocol: .tcp, local: try LocalAddress(parsing: "[::1]:5432"), name: "db", remotePort: 20001, profile: "work", enabled: false)
        try store.updateConfig { $0.ui.theme = "dracula" }

        let config = try store.loadConfig()
        #expect(config.profiles.map(\.name) == ["home", "work"])
        #expect(config.selectedProfile == "home")
        #expect(config.ui.theme == "dracula")
        #expect(try store.loadMappings().mappings == [web, db])
        #expect(try ConfigFile.decode(config.encoded(), file: "x") == config)

        let text = try String(contentsOfFile: store.mappingsPath, encoding: .utf8)
        #expect(text.contains("\n  \"version\": 1\n"))
        #expect(text.hasSuffix("}\n"))
        #expect(text.split(separator: "\n").count > 10, "pretty-printed")
        // Sorted keys: within the db mapping, enabled < local < name < profile < protocol < remotePort.
        let keys = ["\"enabled\"", "\"local\"", "\"name\"", "\"profile\"", "\"protocol\"", "\"remotePort\""]
        let dbPart = text[text.range(of: "\"db\"")!.lowerBound...]
        let start = text[..<text.range(of: "\"db\"")!.lowerBound].range(of: "{", options: .backwards)!.lowerBound
        let object = String(text[start...].prefix(while: { $0 != "}" }))
        let offsets = keys.map { object.range(of: $0)?.lowerBound }
        #expect(offsets.allSatisfy { $0 != nil })
        #expect(offsets.compactMap { $0 } == offsets.compactMap { $0 }.sorted())
        #expect(!dbPart.isEmpty)
        #expect(text.contains("\"local\": \"[::1]:5432\""))
    }

    @Test func addMappingRejectsBadInput() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        try store.addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web", remotePort: nil, profile: nil, enabled: true)
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "accepted" } catch { return "\(error)" }
        }
        #expect(message { _ = try store.addMapping(protocol: .http, local: LocalAddress(port: 3001), name: "web", remotePort: nil, profile: nil, enabled: true) }
            .contains("mapping name 'web' is already taken"))
        #expect(message { _ = try store.addMapping(protocol: .http, local: LocalAddress(port: 3001), name: "Bad_Name", remotePort: nil, profile: nil, enabled: true) }
            .contains("invalid name 'Bad_Name'"))
        #expect(message { _ = try store.addMapping(protocol: .http, local: LocalAddress(port: 70000), name: nil, remotePort: nil, profile: nil, enabled: true) }
            .contains("invalid port '70000'"))
        #expect(message { _ = try store.addMapping(protocol: .tcp, local: LocalAddress(port: 22), name: nil, remotePort: 0, profile: nil, enabled: true) }
            .contains("invalid port '0'"))
        #expect(message { _ = try store.addMapping(protocol: .http, local: LocalAddress(port: 22), name: nil, remotePort: 8080, profile: nil, enabled: true) }
            .contains("--remote-port 8080 does not apply to http"))
        #expect(message { _ = try store.addMapping(protocol: .tcp, local: LocalAddress(port: 22), name: nil, remotePort: nil, profile: "nope", enabled: true) }
            == "no profile named 'nope' (there are none)")
        #expect(try store.loadMappings().mappings.map(\.name) == ["web"])
    }

    @Test func generatedNamesAvoidTakenOnes() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        var names: [String] = []
        for _ in 0..<3 {
            names.append(try store.addMapping(protocol: .tcp, local: LocalAddress(port: 22), name: nil, remotePort: nil, profile: nil, enabled: true).name)
        }
        #expect(names == ["tcp-22", "tcp-22-2", "tcp-22-3"])
    }

    @Test func removeEnableDisable() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        try store.addMapping(protocol: .udp, local: LocalAddress(port: 27015), name: "game", remotePort: nil, profile: nil, enabled: true)
        #expect(try store.setMapping(named: "game", enabled: false).changed)
        #expect(try store.setMapping(named: "game", enabled: false).changed == false)
        #expect(try store.loadMappings().mapping(named: "game")?.enabled == false)
        #expect(throws: ConfigError.notFound(kind: "mapping", name: "gme", known: ["game"])) {
            try store.removeMapping(named: "gme")
        }
        #expect(try store.removeMapping(named: "game").name == "game")
        #expect(try store.loadMappings().mappings.isEmpty)
    }

    @Test func profilesSelectionAndRemoval() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        try store.addProfile(Profile(name: "a", host: "a.example"))
        try store.addProfile(Profile(name: "b", host: "b.example"))
        #expect(throws: ConfigError.nameTaken(kind: "profile", name: "a")) { try store.addProfile(Profile(name: "a", host: "x")) }
        try store.selectProfile(named: "b")
        #expect(try store.loadConfig().selectedProfile == "b")
        #expect(throws: ConfigError.self) { try store.selectProfile(named: "c") }
        try store.addMapping(protocol: .http, local: LocalAddress(port: 80), name: "site", remotePort: nil, profile: "b", enabled: true)
        do {
            try store.removeProfile(named: "b")
            Issue.record("removed a profile in use")
        } catch {
            #expect(error == .profileInUse(name: "b", mappings: ["site"]))
            #expect(error.description.contains("burrow map rm"))
        }
        try store.removeMapping(named: "site")
        #expect(try store.removeProfile(named: "b").wasSelected)
        #expect(try store.loadConfig().selectedProfile == nil)
        #expect(try store.loadConfig().profiles.map(\.name) == ["a"])
    }

    @Test func profileIdentityMustLoad() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        #expect { try store.addProfile(Profile(name: "x", host: "h", identity: dir.file("missing"))) } throws: { error in
            "\(error)".contains(dir.file("missing"))
        }
        let keyPath = dir.file("key")
        let made = try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyPath])
        #expect(made.status == 0)
        try store.addProfile(Profile(name: "x", host: "h", identity: keyPath))
        let profile = try store.loadConfig().profile(named: "x")
        #expect(profile?.identity == keyPath)
        #expect(try store.identity(for: profile).publicKeyLine == (try String(contentsOfFile: keyPath + ".pub", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines))
        // No profile identity → the config dir's own key, created once.
        let own = try store.identity(for: nil)
        #expect(try store.identity(for: store.loadConfig().profile(named: "nope")).publicKeyLine == own.publicKeyLine)
        #expect(FileManager.default.fileExists(atPath: store.identityPath))
    }

    @Test func updateClosureErrorsWriteNothing() throws {
        struct Stop: Error {}
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        try store.addProfile(Profile(name: "a", host: "h"))
        let before = try AtomicFile.read(store.configPath)
        #expect(throws: Stop.self) { try store.updateConfig { $0.profiles = []; throw Stop() } }
        // A change that would leave the selected profile dangling is refused.
        #expect(throws: ConfigError.self) { try store.updateConfig { $0.profiles = [] } }
        #expect(throws: ConfigError.self) {
            try store.updateMappings { $0.mappings.append(Mapping(name: "m", protocol: .http, local: LocalAddress(port: 1), profile: "ghost")) }
        }
        #expect(try AtomicFile.read(store.configPath) == before)
        #expect(try AtomicFile.read(store.mappingsPath) == nil)
    }

    @Test func parallelWritersAllLand() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for index in 0..<25 {
                        try store.addMapping(protocol: .tcp, local: LocalAddress(port: 1000 + index), name: "w\(worker)-\(index)", remotePort: nil, profile: nil, enabled: true)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.loadMappings().mappings.count == 100)
    }

    @Test func resolveDirectoryPrecedence() {
        let env = ["HOME": "/home/u", "XDG_CONFIG_HOME": "/xdg", "BURROW_CONFIG_DIR": "/bcd"]
        #expect(ConfigStore.resolveDirectory(explicit: "/x/", environment: env) == "/x")
        #expect(ConfigStore.resolveDirectory(explicit: "~/cfg", environment: env) == "/home/u/cfg")
        #expect(ConfigStore.resolveDirectory(explicit: nil, environment: env) == "/bcd")
        #expect(ConfigStore.resolveDirectory(explicit: nil, environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": "/xdg"]) == "/xdg/burrow")
        #expect(ConfigStore.resolveDirectory(explicit: nil, environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": ""]) == "/home/u/.config/burrow")
        #expect(ConfigStore.resolveDirectory(explicit: "rel", environment: env) == FileManager.default.currentDirectoryPath + "/rel")
    }
}

@Suite struct JSONOutputTests {
    @Test func emptyContainersStayCompactAndStringsUntouched() throws {
        #expect(JSONOutput.string([String]()) == "[]\n")
        #expect(String(decoding: MappingsFile().encoded(), as: UTF8.self) == "{\n  \"mappings\": [],\n  \"version\": 1\n}\n")
        // Bytes inside strings are never touched.
        let tricky = ["a \" : [\n]", "\\", "{ }", "x : y"]
        let text = JSONOutput.string(["k \" : v": tricky])
        #expect(try JSONDecoder().decode([String: [String]].self, from: Data(text.utf8)) == ["k \" : v": tricky])
        #expect(text.contains("\"k \\\" : v\": ["))
    }
}

@Suite struct ReplaceMappingTests {
    @Test func editsInPlaceWithTheSameChecksAsAdd() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = ConfigStore(directory: dir.path)
        try store.addProfile(Profile(name: "home", host: "h"))
        try store.addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web", remotePort: nil, profile: nil, enabled: true)
        try store.addMapping(protocol: .tcp, local: LocalAddress(port: 22), name: "ssh", remotePort: nil, profile: nil, enabled: true)
        let edited = Mapping(name: "site", protocol: .http, local: LocalAddress(port: 8080), profile: "home")
        try store.replaceMapping(named: "web", with: edited)
        #expect(try store.loadMappings().mappings.map(\.name) == ["site", "ssh"])
        #expect(try store.loadMappings().mapping(named: "site") == edited)
        #expect(throws: ConfigError.nameTaken(kind: "mapping", name: "ssh")) {
            try store.replaceMapping(named: "site", with: Mapping(name: "ssh", protocol: .http, local: LocalAddress(port: 1)))
        }
        #expect(throws: ConfigError.notFound(kind: "profile", name: "ghost", known: ["home"])) {
            try store.replaceMapping(named: "site", with: Mapping(name: "site", protocol: .http, local: LocalAddress(port: 1), profile: "ghost"))
        }
        #expect(throws: ConfigError.self) {
            try store.replaceMapping(named: "site", with: Mapping(name: "site", protocol: .http, local: LocalAddress(port: 1), remotePort: 80))
        }
        #expect(throws: ConfigError.self) {
            try store.replaceMapping(named: "site", with: Mapping(name: "Bad", protocol: .http, local: LocalAddress(port: 1)))
        }
        #expect(throws: ConfigError.notFound(kind: "mapping", name: "nope", known: ["site", "ssh"])) {
            try store.replaceMapping(named: "nope", with: edited)
        }
        #expect(try store.loadMappings().mapping(named: "site") == edited)
    }
}
