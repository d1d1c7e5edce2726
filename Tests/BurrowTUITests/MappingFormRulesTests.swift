import BurrowConfig
import BurrowCore
import BurrowTUI
import Foundation
import Testing
import TerminalUI

/// The add/edit form's access and address fields, through the real UI loop
/// (keys on a FakeScreen) and the real config store.
@Suite struct MappingFormRulesTests {
    static func type(_ text: String) -> [InputEvent] { text.map { .key(.char($0)) } }

    @Test func addFormStoresRulesHashedAndTheDetailPaneShowsThem() throws {
        let harness = try TUIAppTests.Harness(columns: 120, rows: 40)
        defer { harness.remove() }
        let (directory, screen, clock, app) = (harness.directory, harness.screen, harness.clock, harness.app)
        // a, local 3000, Tab×2, name, Tab×2 → allow, Tab → deny, Tab → basic auth.
        var keys: [InputEvent] = [.key(.char("a"))] + Self.type("3000") + [.key(.tab), .key(.tab)] + Self.type("admin")
        keys += [.key(.tab), .key(.tab)] + Self.type("10.0.0.0/8, ::1")
        keys += [.key(.tab)] + Self.type("10.9.0.0/16")
        keys += [.key(.tab)] + Self.type("alice:s3cret")
        screen.pendingEvents = keys
        app.step(timeoutMilliseconds: 0)
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        // The password is masked while typed.
        #expect(screen.text.contains("alice:••••••"))
        #expect(!screen.text.contains("s3cret"))
        screen.pendingEvents = [.key(.enter)]
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        let saved = try #require(try ConfigStore(directory: directory).loadMappings().mappings.first)
        #expect(saved.name == "admin")
        #expect(saved.allow == [try CIDR(parsing: "10.0.0.0/8"), try CIDR(parsing: "::1")])
        #expect(saved.deny == [try CIDR(parsing: "10.9.0.0/16")])
        #expect(saved.basicAuth?.user == "alice")
        let file = try String(contentsOfFile: directory + "/mappings.json", encoding: .utf8)
        #expect(!file.contains("s3cret"))
        clock.now += 1
        app.step(timeoutMilliseconds: 0)
        #expect(screen.text.contains("allow 10.0.0.0/8,::1; deny 10.9.0.0/16; basic auth alice"))
    }

    @Test func formChecksRulesAgainstTheProtocolAndAnEditKeepsTheHash() throws {
        var form = MappingForm(profiles: [], takenNames: [])
        form.local = "22"
        form.mappingProtocol = .tcp
        form.allow = "10.0.0.300"
        form.basicAuth = "a:b"
        form.proxyProtocol = .v2
        let errors = form.errors
        #expect(errors[.allow]?.contains("'10.0.0.300'") == true)
        #expect(errors[.basicAuth]?.contains("http mappings only") == true)
        #expect(errors[.proxyProtocol] == nil)
        #expect(form.draft == nil)
        form.allow = ""
        form.basicAuth = ""
        #expect(form.draft?.proxyProtocol == .v2)
        form.mappingProtocol = .http
        #expect(form.errors[.proxyProtocol] != nil)

        // ←→ on the PROXY field cycles off → v1 → v2.
        var chooser = MappingForm(profiles: [], takenNames: [])
        chooser.focus = .proxyProtocol
        _ = chooser.handle(.right)
        #expect(chooser.proxyProtocol == .v1)
        _ = chooser.handle(.right)
        #expect(chooser.proxyProtocol == .v2)
        _ = chooser.handle(.right)
        #expect(chooser.proxyProtocol == nil)

        let rule = try BasicAuthRule.hashing(user: "alice", password: "pw")
        let mapping = Mapping(name: "web", protocol: .http, local: LocalAddress(port: 80), basicAuth: rule)
        var edit = MappingForm(editing: mapping, profiles: [], takenNames: ["web"])
        #expect(edit.value(.basicAuth).hasPrefix("alice (kept"))
        #expect(edit.draft?.keptBasicAuth == rule)
        #expect(edit.draft?.basicAuthCredentials == nil)
        edit.basicAuth = "-"
        #expect(edit.draft?.keptBasicAuth == nil)
        #expect(edit.draft?.basicAuthCredentials == nil)
    }
}
