import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

/// The header and the tunnel row agree the moment the last mapping is
/// switched off, and an uptime never shows as negative.
@Suite struct HeaderAgreementTests {
    @Test func disablingTheLastMappingMakesHeaderAndTunnelRowIdleTogether() throws {
        var state = Fixtures.state()
        // Only web is enabled in the file (db is disabled; drop api).
        _ = Reducer.reduce(&state, .mappingsChanged([Fixtures.web, Fixtures.db]))
        var screen = Fixtures.draw(state)
        #expect(screen.line(0).contains("● online"))
        // web switched off: mappings.json says so at once; the engine's snapshot lags.
        var web = Fixtures.web
        web.enabled = false
        _ = Reducer.reduce(&state, .mappingsChanged([web, Fixtures.db]))
        screen = Fixtures.draw(state)
        #expect(screen.line(0).contains("idle"))
        let row = try #require(screen.find("local "))
        #expect(screen.line(row.y).contains("idle"), "\(screen.line(row.y))")
    }

    @Test func anUptimeIsNeverNegative() {
        var state = Fixtures.state()
        var snapshot = Fixtures.snapshot
        snapshot.tunnels[0].connectedSince = Fixtures.now + 1
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        let text = Fixtures.draw(state).text
        #expect(!text.contains("-1"), "\(text)")
        #expect(Format.seconds(-0.4) == "0.0 s")
    }
}
