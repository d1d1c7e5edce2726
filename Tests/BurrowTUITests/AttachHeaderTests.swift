import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

/// The header says whose engine this is when attached, keeps the state
/// visible on narrow terminals, and says when the engine went away.
@Suite struct AttachHeaderTests {
    static func attached(columns: Int) -> AppState {
        var state = Fixtures.state(columns: columns, rows: 30)
        state.engineLabel = TUIOptions.attachedLabel(pid: 4242)
        return state
    }

    @Test func theHeaderNamesTheEngineItIsAttachedTo() {
        let wide = Fixtures.draw(Self.attached(columns: 140)).line(0)
        #expect(wide.contains("│ attached to burrow up (pid 4242) │"), "\(wide)")
        #expect(wide.contains("● online") && wide.contains("embedded relay on 127.0.0.1:8080"))
        // Narrow: the short form, the state and the relay name in full.
        let narrow = Fixtures.draw(Self.attached(columns: 80)).line(0)
        #expect(narrow.contains("attached · pid 4242"), "\(narrow)")
        #expect(narrow.contains("● online") && narrow.contains("embedded relay on 127.0.0.1:8080"), "\(narrow)")
        // Started here: as before.
        #expect(!Fixtures.draw(Fixtures.state(columns: 140)).line(0).contains("attached"))
    }

    @Test func theStateIsNeverCutForTheLabel() {
        var state = Self.attached(columns: 80)
        var snapshot = Fixtures.snapshot
        snapshot.tunnels[0].relay = "a-really-long-relay-host-name.example.org:2222"
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        let line = Fixtures.draw(state).line(0)
        #expect(line.contains("● online"), "\(line)")
        #expect(TextWidth.of(line) == 80)
    }

    @Test func anEngineThatGoesAwayIsShownAndComesBack() {
        var state = Self.attached(columns: 100)
        _ = Reducer.reduce(&state, .engineStopped("connection refused"))
        _ = Reducer.reduce(&state, .engineStopped("connection refused"))
        let screen = Fixtures.draw(state)
        #expect(screen.line(0).contains("✖ the engine stopped; q to quit"), "\(screen.line(0))")
        #expect(state.log.filter { $0.text == "the engine stopped: connection refused; q to quit" }.count == 1)
        #expect(screen.text.contains("the engine stopped: connection refused; q to quit"))
        _ = Reducer.reduce(&state, .snapshot(Fixtures.snapshot))
        #expect(state.engineStopped == nil)
        #expect(Fixtures.draw(state).line(0).contains("● online"))
        #expect(state.log.first?.text == "the engine answers again")
    }
}
