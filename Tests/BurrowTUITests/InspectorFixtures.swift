import BurrowCore
import BurrowTUI
import TerminalUI

/// Exchanges as the engine's inspector keeps them, and a state whose `web`
/// mapping lists them (newest first) in the detail pane.
enum InspectorFixtures {
    static let token = "secret-token-123"

    /// A POST with a JSON body, masked credentials, and a binary response cut at 64 KiB.
    static var login: HTTPExchange {
        let request = Array(#"{"user":"ann","roles":["admin","dev"],"prefs":{},"n":1.5}"#.utf8)
        let response = (0..<HTTPExchange.bodyCaptureLimit).map { UInt8($0 % 256) }
        return HTTPExchange(
            id: 42, mapping: "web", time: Fixtures.now - 5, visitor: "203.0.113.9:5555", method: "POST", target: "/api/login",
            requestHeaders: [HTTPHeaderField(name: "Host", value: "web.localhost:8080"),
                             HTTPHeaderField(name: "Authorization", value: "Bearer \(token)"),
                             HTTPHeaderField(name: "Cookie", value: "sid=abc123; theme=dark"),
                             HTTPHeaderField(name: "Content-Type", value: "application/json; charset=utf-8"),
                             HTTPHeaderField(name: "Content-Length", value: String(request.count))],
            requestBody: request, requestBodyBytes: UInt64(request.count),
            status: 200, reason: "OK",
            responseHeaders: [HTTPHeaderField(name: "Content-Type", value: "application/octet-stream"),
                              HTTPHeaderField(name: "Set-Cookie", value: "sid=zzz999; Path=/; HttpOnly")],
            responseBody: response, responseBodyBytes: 100_000, firstByteMs: 3, totalMs: 41)
    }

    /// A GET answered with a short text page.
    static var page: HTTPExchange {
        HTTPExchange(id: 43, mapping: "web", time: Fixtures.now - 3, method: "GET", target: "/index.html",
                     requestHeaders: [HTTPHeaderField(name: "Host", value: "web.localhost:8080")],
                     status: 200, reason: "OK",
                     responseHeaders: [HTTPHeaderField(name: "Content-Type", value: "text/html")],
                     responseBody: Array("<h1>hello</h1>\n<p>world</p>\n".utf8), responseBodyBytes: 28, firstByteMs: 1, totalMs: 2)
    }

    static func snapshot(requests: [HTTPRequestRecord]) -> EngineSnapshot {
        var snapshot = Fixtures.snapshot
        snapshot.mappings[0].recentRequests = requests
        return snapshot
    }

    static let records = [
        HTTPRequestRecord(id: 43, time: Fixtures.now - 3, method: "GET", path: "/index.html", status: 200, durationMs: 2, responseBytes: 28),
        HTTPRequestRecord(id: 42, time: Fixtures.now - 5, method: "POST", path: "/api/login", status: 200, durationMs: 41, responseBytes: 100_000),
    ]

    /// The fixtures' state with the detail pane focused on `web`'s requests.
    static func state(columns: Int = 100, rows: Int = 30) -> AppState {
        var state = Fixtures.state(columns: columns, rows: rows)
        _ = Reducer.reduce(&state, .snapshot(snapshot(requests: records)))
        _ = Fixtures.press(&state, .enter)
        return state
    }

    /// `state` with exchange `exchange` open in the inspector and loaded.
    static func open(_ exchange: HTTPExchange, columns: Int = 100, rows: Int = 30) -> AppState {
        var state = self.state(columns: columns, rows: rows)
        if exchange.id == 42 { _ = Fixtures.press(&state, .down) }
        _ = Fixtures.press(&state, .enter)
        _ = Reducer.reduce(&state, .exchangeLoaded(exchange))
        return state
    }

    static func inspector(_ state: AppState) -> Inspector? {
        if case .inspector(let inspector) = state.modal { return inspector }
        return nil
    }
}
