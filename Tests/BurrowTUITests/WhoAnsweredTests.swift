import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

/// Issue 11 item 6 on screen: requests the agent (502) or the relay (401)
/// answered are listed with who answered, and a mapping whose local service
/// refuses the agent's dials shows `online · service down`.
@Suite struct WhoAnsweredTests {
    @Test func refusedRequestsNameWhoAnsweredAndTheServiceShowsDown() {
        var state = Fixtures.state(columns: 120, rows: 34)
        var snapshot = Fixtures.snapshot
        snapshot.mappings[0].localServiceDown = true
        snapshot.mappings[0].recentRequests = [
            HTTPRequestRecord(time: Fixtures.now - 1, method: "GET", path: "/down", status: 502, answeredBy: .agent),
            HTTPRequestRecord(time: Fixtures.now - 2, method: "GET", path: "/secret", status: 401, answeredBy: .relay,
                              visitor: "127.0.0.1:5555"),
            HTTPRequestRecord(time: Fixtures.now - 3, method: "GET", path: "/ok", status: 200),
        ]
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        let text = Fixtures.draw(state).text
        #expect(text.contains("online · service down"), "\(text)")
        #expect(text.contains("502 [agent] /down"), "\(text)")
        #expect(text.contains("401 [relay] /secret"), "\(text)")
        #expect(text.contains("200 /ok"), "\(text)")
    }
}
