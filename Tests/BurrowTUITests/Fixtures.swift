@testable import BurrowCore
import BurrowTUI
import Foundation
import TerminalUI

/// Shared test data: a realistic snapshot of two mappings on the embedded relay.
enum Fixtures {
    static let now = 1_800_000_000.0

    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static var themesDirectory: String { packageRoot + "/Themes" }

    static let web = Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000))
    static let db = Mapping(name: "db", protocol: .tcp, local: LocalAddress(port: 5432), enabled: false)
    static let api = Mapping(name: "api", protocol: .http, local: LocalAddress(host: "192.168.1.20", port: 8081))

    static var snapshot: EngineSnapshot {
        EngineSnapshot(
            takenAt: now,
            tunnels: [TunnelSnapshot(profile: "local", relay: "embedded relay on 127.0.0.1:8080", state: .online,
                                     rttMs: 0.4, connectedSince: now - 192)],
            mappings: [
                MappingSnapshot(mapping: web, tunnel: "local", state: .online,
                                publicURL: PublicURL(scheme: "http", host: "web.localhost", port: 8080),
                                traffic: MappingTraffic(
                                    openVisitors: 1, totalVisitors: 12, bytesIn: 5_300, bytesOut: 182_000,
                                    rateIn1s: 1200, rateOut1s: 35_000, visitorsPerSecond1m: 0.2,
                                    durationP50Ms: 12, durationP90Ms: 40,
                                    history: (0..<60).map { Double(($0 * 37) % 11) * 1000 },
                                    recentVisitors: [VisitorRecord(address: "127.0.0.1:53412", startedAt: now - 3, durationMs: 12, bytesIn: 420, bytesOut: 9800)],
                                    recentRequests: [
                                        HTTPRequestRecord(time: now - 3, method: "GET", path: "/index.html", status: 200, durationMs: 3, responseBytes: 9800),
                                        HTTPRequestRecord(time: now - 5, method: "POST", path: "/api/login", status: 503, durationMs: 40, responseBytes: 120),
                                    ])),
                MappingSnapshot(mapping: db, tunnel: "local", state: .disabled),
                MappingSnapshot(mapping: api, tunnel: "local", state: .pending),
            ])
    }

    static func state(columns: Int = 100, rows: Int = 30) -> AppState {
        var state = AppState(size: TerminalSize(columns: columns, rows: rows), now: now,
                             themeNames: ["default", "light", "high-contrast", "monochrome"])
        _ = Reducer.reduce(&state, .mappingsChanged([web, db, api]))
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        return state
    }

    /// Draws a state on a fake screen the way the app does.
    static func draw(_ state: AppState, theme: Theme = .builtInDefault, colors: Int = 256) -> FakeScreen {
        let screen = FakeScreen(columns: state.size.columns, rows: state.size.rows, colors: colors)
        CanvasPainter(theme: theme).paint(AppView.render(state), on: screen)
        return screen
    }

    static func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
        var effects: [Effect] = []
        for key in keys { effects += Reducer.reduce(&state, .input(.key(key))) }
        return effects
    }

    static func type(_ state: inout AppState, _ text: String) {
        for character in text { _ = Reducer.reduce(&state, .input(.key(.char(character)))) }
    }
}
