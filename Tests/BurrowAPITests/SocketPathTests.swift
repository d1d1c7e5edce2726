import BurrowAPI
import BurrowTestSupport
import Foundation
import Testing

/// A Unix socket's path holds at most 107 bytes: a config directory deeper
/// than that gets its engine's socket in /tmp/burrow-UID, found the same way
/// by the engine and every client.
@Suite(.spawnsProcesses) struct SocketPathTests {
    @Test func shortConfigPathsKeepTheSocketInside() {
        #expect(EngineAPI.socketPath(configDirectory: "/home/me/.config/burrow") == "/home/me/.config/burrow/engine.sock")
        let deep = "/home/me/" + String(repeating: "n", count: 100) + "/burrow"
        let path = EngineAPI.socketPath(configDirectory: deep)
        #expect(path.hasPrefix("/tmp/burrow-\(getuid())/") && path.hasSuffix(".sock") && path.utf8.count < 60, "\(path)")
        #expect(EngineAPI.socketPath(configDirectory: deep) == path)
        #expect(EngineAPI.socketPath(configDirectory: deep + "2") != path)
    }

    @Test func anEngineOnADeepConfigPathIsReachable() async throws {
        let fixture = try await EngineFixture(deepConfig: true)
        defer { fixture.remove() }
        #expect(!fixture.socketPath.hasPrefix(fixture.configDir))
        let (up, _) = try await fixture.detach()
        #expect(up.stdout.hasPrefix("web  http://web.localhost:"), "\(up.stdout) \(up.stderr)")
        let answer = try await fixture.api("GET", "/mappings")
        #expect(answer.status == 200 && answer.body.contains("\"web\""), "\(answer)")
        var info = stat()
        #expect(stat(fixture.socketPath, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let status = try await fixture.burrow("status")
        #expect(status.status == 0 && status.stdout.contains("web"), "\(status.stderr)")
        let down = try await fixture.burrow("down")
        #expect(down.status == 0, "\(down.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.socketPath))
    }
}
