import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

/// Issue 14 in the TUI: the detail pane's requests are selectable, Enter
/// fetches the record from the engine, and the inspector shows it in full.
@Suite struct InspectorTests {
    @Test func selectingARequestAndEnterAsksTheEngineForIt() {
        var state = InspectorFixtures.state()
        #expect(state.focus == .detail)
        #expect(state.requestIndex == 0)
        let bar = Fixtures.draw(state).line(29)
        #expect(bar.contains("↑↓ request") && bar.contains("Enter inspect"), "\(bar)")
        _ = Fixtures.press(&state, .down)
        #expect(state.requestIndex == 1 && state.requestID == 42)
        // The selected row is highlighted.
        let screen = Fixtures.draw(state)
        let row = screen.find("/api/login")!
        #expect(screen.style(x: row.x, y: row.y) != screen.style(x: screen.find("/index.html")!.x, y: screen.find("/index.html")!.y))
        #expect(Fixtures.press(&state, .enter) == [.fetchExchange(42)])
        #expect(InspectorFixtures.inspector(state) == Inspector(id: 42, mapping: "web"))
        #expect(Fixtures.draw(state).text.contains("loading request #42…"))
        // An answer about another request (a stale one) changes nothing.
        _ = Reducer.reduce(&state, .exchangeLoaded(InspectorFixtures.page))
        #expect(InspectorFixtures.inspector(state)?.load == .loading)
        _ = Reducer.reduce(&state, .exchangeLoaded(InspectorFixtures.login))
        #expect(Fixtures.draw(state).text.contains("POST /api/login HTTP/1.1"))
    }

    @Test func theSelectionStaysOnItsRequestWhenNewerOnesArrive() {
        var state = InspectorFixtures.state()
        _ = Fixtures.press(&state, .down)
        let newer = HTTPRequestRecord(id: 44, time: Fixtures.now - 1, method: "GET", path: "/new", status: 200)
        _ = Reducer.reduce(&state, .snapshot(InspectorFixtures.snapshot(requests: [newer] + InspectorFixtures.records)))
        #expect(state.requestIndex == 2)
        #expect(Fixtures.press(&state, .enter) == [.fetchExchange(42)])
    }

    @Test func aRequestTheInspectorDidNotKeepSaysSo() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .enter)
        #expect(Fixtures.press(&state, .enter) == [])
        #expect(state.modal == nil)
        #expect(state.toast?.text == "this request was not kept by the inspector")
    }

    @Test func anErrorFromTheEngineIsShown() {
        var state = InspectorFixtures.state()
        _ = Fixtures.press(&state, .enter)
        _ = Reducer.reduce(&state, .exchangeFailed(id: 43, InspectorError.noSuchExchange(43).description))
        let text = Fixtures.draw(state).text
        #expect(text.contains("cannot show request #43: no request with id 43"), "\(text)")
        _ = Fixtures.press(&state, .escape)
        #expect(state.modal == nil)
    }

    @Test func theRecordShowsHeadersPrettyJSONHexAndTheTruncation() {
        let state = InspectorFixtures.open(InspectorFixtures.login, columns: 120, rows: 60)
        let text = Fixtures.draw(state).text
        for expected in ["Request #42 · web", "POST /api/login HTTP/1.1", "#42 · web", "from 203.0.113.9:5555",
                         "answered by the local service · first byte 3.0 ms · total 41 ms",
                         "REQUEST HEADERS", "Host: web.localhost:8080", "REQUEST BODY",
                         "(application/json · 57 bytes)", "{", "  \"user\": \"ann\",", "  \"roles\": [", "    \"admin\",",
                         "  \"prefs\": {},", "  \"n\": 1.5", "HTTP/1.1 200 OK", "RESPONSE HEADERS", "RESPONSE BODY",
                         "(application/octet-stream · first 64 KiB of 100000 bytes)",
                         "00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|",
                         "00000040  40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  |@ABCDEFGHIJKLMNO|"] {
            #expect(text.contains(expected), "lacks \(expected)\n\(text)")
        }
    }

    @Test func aTextBodyIsShownAsText() {
        let text = Fixtures.draw(InspectorFixtures.open(InspectorFixtures.page)).text
        #expect(text.contains("(text/html · 28 bytes)"), "\(text)")
        #expect(text.contains("<h1>hello</h1>") && text.contains("<p>world</p>"), "\(text)")
        #expect(text.contains("REQUEST BODY") && text.contains("(no body)"))
    }

    @Test func secretsAreMaskedUntilRevealed() {
        var state = InspectorFixtures.open(InspectorFixtures.login, columns: 120, rows: 60)
        var text = Fixtures.draw(state).text
        #expect(text.contains("Authorization: Bearer ••••••"), "\(text)")
        #expect(text.contains("Cookie: sid=••••••; theme=••••••"))
        #expect(text.contains("Set-Cookie: sid=••••••; Path=/; HttpOnly"))
        for secret in [InspectorFixtures.token, "abc123", "zzz999", "dark"] { #expect(!text.contains(secret), "\(secret) shown") }
        #expect(text.contains("v reveal secrets"))
        _ = Fixtures.press(&state, .char("v"))
        text = Fixtures.draw(state).text
        #expect(text.contains("Authorization: Bearer \(InspectorFixtures.token)"))
        #expect(text.contains("Cookie: sid=abc123; theme=dark"))
        #expect(text.contains("secrets shown") && text.contains("v mask secrets"))
        _ = Fixtures.press(&state, .char("v"))
        #expect(!Fixtures.draw(state).text.contains(InspectorFixtures.token))
    }

    @Test func theRecordScrolls() {
        var state = InspectorFixtures.open(InspectorFixtures.login)
        let total = AppView.inspectorLines(InspectorFixtures.inspector(state)!, size: state.size).count
        let capacity = AppView.inspectorCapacity(state.size)
        #expect(total > capacity * 10, "a 64 KiB hex dump is long")
        #expect(Fixtures.draw(state).text.contains("lines 1–\(capacity) of \(total)"))
        _ = Fixtures.press(&state, .down, .down)
        #expect(InspectorFixtures.inspector(state)?.scroll == 2)
        _ = Fixtures.press(&state, .pageDown)
        #expect(InspectorFixtures.inspector(state)?.scroll == 2 + capacity - 1)
        _ = Fixtures.press(&state, .pageUp, .up, .up, .up)
        #expect(InspectorFixtures.inspector(state)?.scroll == 0)
        _ = Fixtures.press(&state, .end)
        #expect(InspectorFixtures.inspector(state)?.scroll == total - capacity)
        let text = Fixtures.draw(state).text
        #expect(text.contains("lines \(total - capacity + 1)–\(total) of \(total)"), "\(text)")
        #expect(text.contains("0000fff0  f0 f1 f2"), "the last line of the dump")
        _ = Fixtures.press(&state, .down)
        #expect(InspectorFixtures.inspector(state)?.scroll == total - capacity)
        _ = Fixtures.press(&state, .home)
        #expect(InspectorFixtures.inspector(state)?.scroll == 0)
        _ = Reducer.reduce(&state, .input(.wheel(up: false)))
        #expect(InspectorFixtures.inspector(state)?.scroll == 1)
        _ = Fixtures.press(&state, .escape)
        #expect(state.modal == nil && state.focus == .detail)
    }

    @Test func theHelpListsTheInspectorKeys() {
        for (columns, rows) in [(120, 40), (80, 24)] {
            var state = Fixtures.state(columns: columns, rows: rows)
            _ = Fixtures.press(&state, .char("?"))
            let help = Fixtures.draw(state).text
            for binding in KeyBindings.inspector {
                #expect(help.contains(binding.keyText), "help at \(columns)×\(rows) lacks \(binding.keyText)")
                if columns == 120 { #expect(help.contains(binding.description), "help lacks \(binding.description)") }
            }
        }
    }

    @Test func aClickSelectsARequestAndASecondOneOpensIt() {
        var state = Fixtures.state()
        _ = Reducer.reduce(&state, .snapshot(InspectorFixtures.snapshot(requests: InspectorFixtures.records)))
        let row = Fixtures.draw(state).find("/api/login")!
        #expect(Reducer.reduce(&state, .input(.click(x: row.x, y: row.y))) == [])
        #expect(state.focus == .detail && state.requestIndex == 1 && state.requestID == 42)
        let again = Fixtures.draw(state).find("/api/login")!
        #expect(again.y == row.y)
        #expect(Reducer.reduce(&state, .input(.click(x: again.x, y: again.y))) == [.fetchExchange(42)])
        #expect(InspectorFixtures.inspector(state)?.id == 42)
    }
}
