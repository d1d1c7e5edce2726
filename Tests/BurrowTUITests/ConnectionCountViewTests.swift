import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

/// A tunnel over several SSH connections (issue 15) on screen: the tunnel row
/// says `1/2 connections` in warning colour while one connection is down, and
/// nothing extra while all are up.
@Suite struct ConnectionCountViewTests {
    static func state(up: Int, total: Int) -> AppState {
        var snapshot = Fixtures.snapshot
        snapshot.tunnels[0] = TunnelSnapshot(profile: "local", relay: "127.0.0.1:2222", state: .online, rttMs: 0.4,
                                             connectedSince: Fixtures.now - 192)
        snapshot.tunnels[0].connections = ConnectionCount(up: up, total: total)
        var state = Fixtures.state(columns: 80, rows: 24)
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        return state
    }

    @Test func aDownConnectionIsShownInWarningColourAndAllUpShowsNothing() throws {
        let degraded = try #require(TunnelRow.make(Self.state(up: 1, total: 2)).first)
        #expect(degraded.status.text == "● online · 1/2 connections", "\(degraded.status)")
        #expect(degraded.status.role == .warning)
        let whole = try #require(TunnelRow.make(Self.state(up: 2, total: 2)).first)
        #expect(whole.status.text == "● online", "\(whole.status)")
        #expect(whole.status.role == .online)
        // On an 80×24 screen, within its width.
        let screen = Fixtures.draw(Self.state(up: 1, total: 2))
        let lines = (0..<24).map(screen.line)
        #expect(lines.contains { $0.contains("online · 1/2 connections") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.allSatisfy { TextWidth.of($0) <= 80 }, "\(lines.joined(separator: "\n"))")
    }
}
