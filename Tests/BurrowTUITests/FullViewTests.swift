import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

/// Cut text can be read in full: the log and the selected mapping open in a
/// scrollable full view (`v`, or Enter in the log and detail panes).
@Suite struct FullViewTests {
    /// The text inside the full view (the screen less a margin and a
    /// border) without spaces and line breaks, so wrapped text reads as one.
    static func flowed(_ screen: FakeScreen) -> String {
        (2..<screen.size.rows - 2).map { screen.cells[$0][2..<screen.size.columns - 2].joined() }.joined().filter { $0 != " " }
    }

    @Test func aLongLogLineIsCutInThePaneAndWholeInTheFullView() {
        var state = Fixtures.state(columns: 80, rows: 24)
        let long = "relay said: " + (1...40).map { "word\($0)" }.joined(separator: " ") + " END"
        _ = Reducer.reduce(&state, .log(long, .error))
        #expect(!Fixtures.draw(state).text.contains("END"))
        while state.focus != .log { _ = Fixtures.press(&state, .tab) }
        _ = Fixtures.press(&state, .enter)
        guard case .fullView = state.modal else { Issue.record("no full view"); return }
        let screen = Fixtures.draw(state)
        #expect(Self.flowed(screen).contains(long.filter { $0 != " " }), "\(screen.text)")
        #expect(screen.text.contains("Esc closes"))
        _ = Fixtures.press(&state, .escape)
        #expect(state.modal == nil)
    }

    @Test func theFullLogScrollsToItsOldestLine() {
        var state = Fixtures.state(columns: 80, rows: 24)
        for index in 0..<60 { _ = Reducer.reduce(&state, .log("event number \(index)", .info)) }
        while state.focus != .log { _ = Fixtures.press(&state, .tab) }
        _ = Fixtures.press(&state, .char("v"))
        #expect(Fixtures.draw(state).text.contains("event number 59"))
        #expect(!Fixtures.draw(state).text.contains("event number 0\n"))
        _ = Fixtures.press(&state, .char("G"))
        let bottom = Fixtures.draw(state).text
        #expect(bottom.contains("event number 0 "), "\(bottom)")
        #expect(bottom.contains("of 60"))
        _ = Fixtures.press(&state, .char("g"))
        #expect(Fixtures.draw(state).text.contains("event number 59"))
    }

    @Test func cutDetailFieldsAreWholeInTheFullView() {
        var state = Fixtures.state(columns: 80, rows: 24)
        var snapshot = Fixtures.snapshot
        let path = "/search?q=" + String(repeating: "burrow-", count: 20) + "END"
        snapshot.mappings[0].recentRequests.insert(
            HTTPRequestRecord(time: Fixtures.now - 1, method: "GET", path: path, status: 404, durationMs: 2, responseBytes: 10), at: 0)
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        #expect(!Fixtures.draw(state).text.contains("END"))
        // Enter focuses the detail pane; v opens its full view (Enter there inspects a request).
        _ = Fixtures.press(&state, .enter, .char("v"))
        guard case .fullView(let view) = state.modal else { Issue.record("no full view"); return }
        #expect(view.subject == .mapping("web"))
        let screen = Fixtures.draw(state)
        let text = Self.flowed(screen)
        #expect(text.contains(path), "\(screen.text)")
        #expect(text.contains("PublicURLhttp://web.localhost:8080"))
        #expect(text.contains("127.0.0.1:53412"))
    }
}
