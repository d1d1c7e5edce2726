import BurrowConfig
import BurrowCore
@testable import BurrowTUI
import Foundation
import Testing
import TerminalUI

/// The form's `Pool with other agents` chooser (issue 16): space turns it
/// on, the saved mapping carries `pool`, a udp mapping cannot have it, and
/// the list says how many of the pool take visitors.
@Suite struct PoolFormTests {
    @Test func theFormSavesPool() throws {
        // The last field is the redirect, the pool before it.
        let saved = try FormChooserFixture.save(togglingChooserAt: 3, labelled: "Pool with other agents")
        #expect(saved.pool, "\(saved)")
        #expect(!saved.httpsRedirect)
    }

    @Test func aUDPMappingCannotPoolAndAnEditKeepsPool() {
        var form = MappingForm(profiles: [], takenNames: [])
        form.pool = true
        form.local = "27015"
        #expect(form.draft?.pool == true)
        form.mappingProtocol = .udp
        #expect(form.errors[.pool] != nil)
        #expect(form.draft == nil)
        var mapping = Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000))
        mapping.pool = true
        #expect(MappingForm(editing: mapping, profiles: [], takenNames: []).value(.pool) == "on")
    }

    @Test func theListShowsThePoolSize() {
        var mapping = Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000))
        mapping.pool = true
        var live = MappingSnapshot(mapping: mapping, tunnel: "t", state: .online)
        live.pool = PoolSize(online: 2, members: 3)
        let row = MappingRow.make(MappingRowSource(mapping: mapping, live: live, tunnel: "t"))
        #expect(row.status.text == "online · pool 2/3", "\(row.status)")
        live.pool = PoolSize(online: 3, members: 3)
        #expect(MappingRow.make(MappingRowSource(mapping: mapping, live: live, tunnel: "t")).status.role == .online)
    }
}
