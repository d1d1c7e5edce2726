import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

/// `r` replays the inspected request (asking first when the method is not
/// idempotent) and shows the new answer beside the old one; `R` edits it
/// first. Errors are shown, never swallowed.
@Suite struct ReplayTests {
    static func replayed(of original: HTTPExchange, id: UInt64 = 57, status: Int = 201, body: String = "{\"ok\":true}") -> HTTPExchange {
        var exchange = original
        exchange.id = id
        exchange.replayOf = original.id
        exchange.status = status
        exchange.reason = "Created"
        exchange.responseHeaders = [HTTPHeaderField(name: "Content-Type", value: "application/json")]
        exchange.responseBody = Array(body.utf8)
        exchange.responseBodyBytes = UInt64(body.utf8.count)
        exchange.firstByteMs = 7
        exchange.totalMs = 9
        return exchange
    }

    @Test func anIdempotentRequestReplaysAtOnce() {
        var state = InspectorFixtures.open(InspectorFixtures.page)
        #expect(Fixtures.press(&state, .char("r")) == [.replay(43, edited: nil, confirmed: false)])
        #expect(Fixtures.draw(state).text.contains("replaying…"))
        // Pressing r again while it is on its way sends nothing more.
        #expect(Fixtures.press(&state, .char("r")) == [])
    }

    @Test func aPostAsksFirst() {
        var state = InspectorFixtures.open(InspectorFixtures.login)
        #expect(Fixtures.press(&state, .char("r")) == [])
        var screen = Fixtures.draw(state)
        #expect(screen.text.contains("POST is not idempotent: replay it? y/n"), "\(screen.text)")
        #expect(screen.line(29).contains("y replay"))
        #expect(Fixtures.press(&state, .char("n")) == [])
        #expect(InspectorFixtures.inspector(state)?.replay == nil)
        #expect(state.modal != nil, "n only cancels the replay")
        _ = Fixtures.press(&state, .char("r"))
        #expect(Fixtures.press(&state, .escape) == [])
        #expect(InspectorFixtures.inspector(state)?.replay == nil && state.modal != nil)
        _ = Fixtures.press(&state, .char("r"))
        #expect(Fixtures.press(&state, .char("y")) == [.replay(42, edited: nil, confirmed: true)])
        screen = Fixtures.draw(state)
        #expect(screen.text.contains("replaying…"))
    }

    @Test func theNewAnswerIsShownBesideTheOldOneWhenWide() {
        var state = InspectorFixtures.open(InspectorFixtures.page, columns: 160, rows: 40)
        _ = Fixtures.press(&state, .char("r"))
        _ = Reducer.reduce(&state, .replayed(of: 43, Self.replayed(of: InspectorFixtures.page)))
        let screen = Fixtures.draw(state)
        let text = screen.text
        // Side by side: the original's request line and the replay's title share a row.
        let row = screen.find("REPLAY #57 of #43")
        #expect(row != nil, "\(text)")
        #expect(screen.line(row!.y).contains("GET /index.html HTTP/1.1"), "\(screen.line(row!.y))")
        #expect(row!.x > 70, "the replay is the right-hand column")
        for expected in ["HTTP/1.1 201 Created", "first byte 7.0 ms · total 9.0 ms", "\"ok\": true", "HTTP/1.1 200 OK", "<h1>hello</h1>"] {
            #expect(text.contains(expected), "lacks \(expected)\n\(text)")
        }
        #expect(state.log.first?.text == "replayed request #43 GET /index.html: 201 in 9.0 ms (#57)")
    }

    @Test func theNewAnswerComesFirstWhenNarrow() {
        var state = InspectorFixtures.open(InspectorFixtures.page)
        _ = Fixtures.press(&state, .char("r"))
        _ = Reducer.reduce(&state, .replayed(of: 43, Self.replayed(of: InspectorFixtures.page)))
        let screen = Fixtures.draw(state)
        let replay = screen.find("REPLAY #57 of #43")
        let original = screen.find("ORIGINAL")
        #expect(replay != nil && original != nil, "\(screen.text)")
        #expect(replay!.y < original!.y)
        #expect(screen.find("HTTP/1.1 201 Created")!.y < original!.y)
        #expect(screen.find("GET /index.html HTTP/1.1")!.y > original!.y)
    }

    @Test func replayErrorsAreShown() {
        var state = InspectorFixtures.open(InspectorFixtures.page)
        _ = Fixtures.press(&state, .char("r"))
        let message = InspectorError.localServiceFailed(reason: "connection refused").description
        _ = Reducer.reduce(&state, .replayFailed(of: 43, message))
        let text = Fixtures.draw(state).text
        #expect(text.contains("the local service did not answer the replay: connection refused"), "\(text)")
        #expect(state.log.first?.level == .error)
        // And it can be tried again.
        #expect(Fixtures.press(&state, .char("r")) == [.replay(43, edited: nil, confirmed: false)])
    }

    @Test func editThenReplay() {
        var state = InspectorFixtures.open(InspectorFixtures.page)
        #expect(Fixtures.press(&state, .char("R")) == [.editRequest(InspectorFixtures.page)])
        #expect(InspectorFixtures.inspector(state)?.replay == .editing)
        let get = HTTPReplayRequest(method: "GET", target: "/other", headers: [], body: [])
        #expect(Reducer.reduce(&state, .requestEdited(id: 43, get)) == [.replay(43, edited: get, confirmed: true)])
        #expect(InspectorFixtures.inspector(state)?.replay == .sending(edited: true))
        var answer = Self.replayed(of: InspectorFixtures.page)
        answer.target = "/other"
        _ = Reducer.reduce(&state, .replayed(of: 43, answer))
        #expect(Fixtures.draw(state).text.contains("REPLAY #57 (edited) of #43"))

        // Edited into a POST: asked first.
        _ = Fixtures.press(&state, .char("R"))
        let post = HTTPReplayRequest(method: "POST", target: "/other", headers: [], body: Array("x".utf8))
        #expect(Reducer.reduce(&state, .requestEdited(id: 43, post)) == [])
        #expect(Fixtures.draw(state).text.contains("POST is not idempotent: replay it? y/n"))
        #expect(Fixtures.press(&state, .char("y")) == [.replay(43, edited: post, confirmed: true)])
    }

    @Test func aRequestWhoseBodyWasCutCannotBeEdited() {
        var exchange = InspectorFixtures.page
        exchange.requestBody = Array(repeating: 0x61, count: 16)
        exchange.requestBodyBytes = 1_000_000
        var state = InspectorFixtures.open(exchange)
        #expect(Fixtures.press(&state, .char("R")) == [])
        #expect(Fixtures.draw(state).text.contains("cannot edit: the request body was cut at 64 KiB"))
    }
}
