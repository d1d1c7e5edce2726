import BurrowTUI
import Testing
import TerminalUI

/// The key bar says what the keys do in the focused pane, and a toast never
/// hides a hint.
@Suite struct KeyHintsTests {
    @Test func hintsFollowTheFocusedPane() {
        var state = Fixtures.state(columns: 100, rows: 30)
        let expected: [Pane: [String]] = [
            .mappings: ["a add", "Space on/off", "c copy URL"],
            // `web` lists HTTP requests: the arrows select one, Enter inspects it.
            .detail: ["↑↓ request", "Enter inspect", "v full view", "Esc back"],
            .log: ["↑↓ scroll", "v full view"],
            .tunnels: ["↑↓ tunnel", "p profile"],
        ]
        for _ in Pane.allCases {
            let bar = Fixtures.draw(state).line(29)
            for hint in expected[state.focus] ?? [] { #expect(bar.contains(hint), "\(state.focus): \(bar)") }
            #expect(bar.contains("? help") && bar.contains("q quit"), "\(state.focus): \(bar)")
            if state.focus != .mappings { #expect(!bar.contains("a add"), "\(state.focus): \(bar)") }
            _ = Fixtures.press(&state, .tab)
        }
        _ = Fixtures.press(&state, .char("?"))
        #expect(Fixtures.draw(state).line(29).contains("Esc close"))
    }

    @Test func aToastDoesNotHideTheHints() {
        var state = Fixtures.state(columns: 80, rows: 24)
        let bare = Fixtures.draw(state).line(23)
        _ = Reducer.reduce(&state, .succeeded("copied http://a-rather-long-mapping-name.localhost:8080"))
        let screen = Fixtures.draw(state)
        #expect(screen.line(23) == bare)
        #expect(screen.text.contains("copied http://a-rather-long-mapping-name.localhost:8080"))
    }
}
