import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

/// At 80×24, the size the TUI says it needs, with four mappings: every
/// list shows rows, the header state is whole, and no cut text lands on a border.
@Suite struct SmallTerminalLayoutTests {
    static let now = Fixtures.now

    /// Four mappings (none of them reserved names), the first busy.
    static var state: AppState {
        let names = ["web", "shop", "docs", "db"]
        let mappings = names.enumerated().map { index, name in
            Mapping(name: name, protocol: name == "db" ? .tcp : .http, local: LocalAddress(port: 3000 + index))
        }
        let visitors = (0..<6).map { VisitorRecord(address: "127.0.0.1:5341\($0)", startedAt: now - Double($0), durationMs: 12, bytesIn: 420, bytesOut: 9800) }
        let requests = (0..<6).map { HTTPRequestRecord(time: now - Double($0), method: "GET", path: "/page/\($0)", status: 200, durationMs: 3, responseBytes: 9800) }
        var snapshots = mappings.map { mapping in
            MappingSnapshot(mapping: mapping, tunnel: "local", state: .online,
                            publicURL: PublicURL(scheme: "http", host: "\(mapping.name).localhost", port: 8080))
        }
        snapshots[0].totalVisitors = 6
        snapshots[0].recentVisitors = visitors
        snapshots[0].recentRequests = requests
        let snapshot = EngineSnapshot(
            takenAt: now,
            tunnels: [TunnelSnapshot(profile: "local", relay: "embedded relay on 127.0.0.1:8080", state: .online, rttMs: 0.4, connectedSince: now - 192)],
            mappings: snapshots)
        var state = AppState(size: TerminalSize(columns: 80, rows: 24), now: now, themeNames: ["default"])
        _ = Reducer.reduce(&state, .mappingsChanged(mappings))
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        return state
    }

    @Test func eachListShowsAtLeastThreeRows() {
        let screen = Fixtures.draw(Self.state)
        let text = screen.text
        for index in 0..<3 {
            #expect(text.contains("127.0.0.1:5341\(index)"), "visitor row \(index) missing:\n\(text)")
            #expect(text.contains("/page/\(index)"), "request row \(index) missing:\n\(text)")
        }
        for name in ["web", "shop", "docs", "db"] {
            #expect(text.contains("http://\(name).localhost:8080") || name == "db", "mapping \(name) missing:\n\(text)")
        }
        #expect(text.contains("LATEST VISITORS"))
        #expect(screen.line(23).contains("a add"))
    }

    @Test func headerStateIsNotCut() {
        let screen = Fixtures.draw(Self.state)
        #expect(screen.line(0).contains("● online"), "\(screen.line(0))")
        var reconnecting = Self.state
        var snapshot = reconnecting.snapshot
        snapshot.tunnels[0].state = .reconnecting(retryAt: Self.now + 3, reason: "connection refused")
        _ = Reducer.reduce(&reconnecting, .snapshot(snapshot))
        let line = Fixtures.draw(reconnecting).line(0)
        #expect(line.contains("◌ reconnecting in 3 s (connection refused)"), "\(line)")
    }

    /// The right border of each pane, and of each popup, is a border character.
    @Test(arguments: ["", "?", "a", "d", "p"])
    func noTextOverwritesABorder(key: String) {
        var state = Self.state
        // Long values everywhere a cut can happen.
        var snapshot = state.snapshot
        snapshot.mappings[0].durationP50Ms = 123_456
        snapshot.mappings[0].durationP90Ms = 7_654_321
        snapshot.mappings[0].visitorsPerSecond1m = 123.45
        snapshot.mappings[0].visitorsPerSecond5m = 99.99
        snapshot.mappings[0].totalVisitors = 1_234_567
        snapshot.mappings[0].openVisitors = 12_345
        snapshot.mappings[0].bytesIn = 999_999_999_999
        snapshot.mappings[0].bytesOut = 999_999_999_999
        snapshot.mappings[0].rateIn1s = 999_999_999
        snapshot.mappings[0].rateOut1s = 999_999_999
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        _ = Reducer.reduce(&state, .profilesChanged([Profile(name: String(repeating: "far", count: 20), host: "relay.example.com")], selected: nil))
        for _ in 0..<3 { _ = Reducer.reduce(&state, .log(String(repeating: "a long log line ", count: 10), .info)) }
        if let character = key.first { _ = Reducer.reduce(&state, .input(.key(.char(character)))) }
        let screen = Fixtures.draw(state)
        let canvas = AppView.render(state)
        // Every box: a top-right corner "╮" has "│" below it down to "╯".
        for y in 0..<canvas.height {
            for x in 0..<canvas.width where canvas[x, y].text == "╮" {
                var row = y + 1
                while row < canvas.height, canvas[x, row].text != "╯" {
                    #expect(canvas[x, row].text == "│", "row \(row) column \(x) is '\(canvas[x, row].text)', not a border:\n\(screen.text)")
                    if canvas[x, row].text != "│" { break }
                    row += 1
                }
            }
        }
    }
}
