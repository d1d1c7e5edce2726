import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

/// A fleet tunnel (issue 16) on screen: the tunnel list and the mapping's
/// state say on how many relays it is up (`2/3 relays`), in warning colour
/// while one is missing; without a fleet nothing changes.
@Suite struct FleetViewTests {
    static func fleetState(serving: Int, columns: Int = 80, rows: Int = 24) -> AppState {
        var snapshot = Fixtures.snapshot
        snapshot.tunnels[0] = TunnelSnapshot(profile: "local", relay: "127.0.0.1:2222", state: .online, rttMs: 0.4,
                                             connectedSince: Fixtures.now - 192)
        snapshot.tunnels[0].members = (0..<3).map { index in
            RelayMemberSnapshot(relay: "127.0.0.1:222\(2 + index)",
                                state: index < serving ? .online : .reconnecting(retryAt: Fixtures.now + 2, reason: "connection refused"),
                                rttMs: index < serving ? 0.4 : nil)
        }
        snapshot.mappings[0].relays = RelayCount(serving: serving, of: 3)
        var state = Fixtures.state(columns: columns, rows: rows)
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        return state
    }

    @Test func theRowsSayHowManyRelaysServe() throws {
        let state = Self.fleetState(serving: 2)
        let tunnels = TunnelRow.make(state)
        try #require(tunnels.count == 1)
        #expect(tunnels[0].status.text == "● online · 2/3 relays", "\(tunnels[0].status)")
        #expect(tunnels[0].status.role == .warning)
        let rows = state.visibleMappings.filter { $0.mapping.name == "web" }.map(MappingRow.make)
        try #require(rows.count == 1)
        #expect(rows[0].status.text == "online · 2/3 relays", "\(rows[0].status)")
        #expect(rows[0].status.role == .warning)
        // All three back: the plain online colour.
        let full = Self.fleetState(serving: 3)
        #expect(TunnelRow.make(full).first?.status.text == "● online · 3/3 relays")
        #expect(TunnelRow.make(full).first?.status.role == .online)
        #expect(full.visibleMappings.first.map(MappingRow.make)?.status.role == .online)
    }

    @Test func an80By24ScreenShowsTwoOfThreeRelays() {
        let screen = Fixtures.draw(Self.fleetState(serving: 2))
        let lines = (0..<24).map(screen.line)
        let tunnelLine = lines.first { $0.contains("online · 2/3 relays") && $0.contains("rtt") }
        #expect(tunnelLine != nil, "\(lines.joined(separator: "\n"))")
        let mappingLine = lines.first { $0.hasPrefix("│ web ") }
        #expect(mappingLine?.contains("online · 2/3 relays") == true, "\(lines.joined(separator: "\n"))")
        // Nothing runs past the right edge.
        #expect(lines.allSatisfy { TextWidth.of($0) <= 80 })

    }

    @Test func theFullDetailListsEveryRelay() {
        let state = Self.fleetState(serving: 2)
        let texts = FullView(subject: .mapping("web")).paragraphs(state).map(\.text)
        #expect(texts.contains("State       online · 2/3 relays"), "\(texts)")
        #expect(texts.contains("Relays      127.0.0.1:2222 online · 127.0.0.1:2223 online · 127.0.0.1:2224 reconnecting"), "\(texts)")
        let plain = FullView(subject: .mapping("web")).paragraphs(Fixtures.state()).map(\.text)
        #expect(!plain.contains { $0.hasPrefix("Relays") })
    }

    @Test func theProfileSwitcherSaysHowManyMoreRelays() {
        var state = Fixtures.state(columns: 80, rows: 24)
        let prod = Profile(name: "prod", host: "r1", fleet: ["r2:2222", "r3:2222"])
        _ = Reducer.reduce(&state, .profilesChanged([prod, Profile(name: "home", host: "h")], selected: "prod"))
        _ = Fixtures.press(&state, .char("p"))
        let lines = (0..<24).map(Fixtures.draw(state).line)
        #expect(lines.contains { $0.contains("prod  burrow@r1:2222 +2 relays") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("home  burrow@h:2222") && !$0.contains("relays") })
    }

    @Test func withoutAFleetNothingChanges() {
        let state = Fixtures.state(columns: 80, rows: 24)
        #expect(TunnelRow.make(state).first?.status.text.contains("relays") == false)
        #expect(state.visibleMappings.map(MappingRow.make).allSatisfy { !$0.status.text.contains("relays") })
    }
}
